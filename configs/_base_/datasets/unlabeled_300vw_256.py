# Unlabeled 300VW frames for "SHT-M-v" (Tables 2-4): the video pairs of
# unlabeled_300vw_frames.py, 256x256 HR crops.
# Mix it into a labeled pair set with LabeledUnlabeledDataset.
_base_ = ['./unlabeled_300vw_frames.py', './unlabeled_video_views_256.py']

unlabeled_dataset = dict(pipeline={{_base_.unlabeled_video_view_pipeline_256}})
