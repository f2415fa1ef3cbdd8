# Unlabeled YouTube Faces frames for "SHT-M (+YouTube-Face)" (Table 6):
# video pairs, two random frames of one video, 256x256 HR crops, boxes from
# frame_images_DB/<person>.labeled_faces.txt. Any folder of frame folders
# works the same way (each folder of images is a video; the whole frame is
# the face box).
# Mix it into a labeled pair set with LabeledUnlabeledDataset.
unlabeled_codec_256 = dict(
    type='MSRAHeatmap', input_size=(256, 256), heatmap_size=(64, 64), sigma=2)
unlabeled_video_view_pipeline_256 = [
    dict(type='LoadFaceImage'),
    dict(type='GetBBoxCenterScale'),
    dict(type='TopdownAffine', input_size=unlabeled_codec_256['input_size']),
    dict(type='GenerateTarget', encoder=unlabeled_codec_256),
    dict(type='PackFaceInputs')
]
unlabeled_dataset = dict(
    type='FacePairDataset',
    pair_mode='video',
    dataset=dict(
        type='SHTFrameFolderDataset',
        data_root='data/youtube_faces/frame_images_DB/',
        raw_split='all',
        check_images=False),
    pipeline=unlabeled_video_view_pipeline_256)
