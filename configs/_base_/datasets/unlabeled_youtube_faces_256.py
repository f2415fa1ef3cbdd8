# Unlabeled YouTube Faces frames for "SHT-M (+YouTube-Face)" (Table 6):
# video pairs, two random frames of one video, 256x256 HR crops, boxes from
# frame_images_DB/<person>.labeled_faces.txt. Any folder of frame folders
# works the same way (each folder of images is a video; the whole frame is
# the face box).
# Mix it into a labeled pair set with LabeledUnlabeledDataset.
_base_ = ['./unlabeled_video_pairs.py', './unlabeled_video_views_256.py']

unlabeled_dataset = dict(
    dataset=dict(
        type='SHTFrameFolderDataset',
        data_root='data/youtube_faces/frame_images_DB/',
        raw_split='all'),
    pipeline={{_base_.unlabeled_video_view_pipeline_256}})
