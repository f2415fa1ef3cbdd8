# Unlabeled 300VW frames for "SHT-v" (Tables 1, 5): the video pairs of
# unlabeled_300vw_frames.py, 128x128 HR crops (each view the frame's face
# box, without augmentation).
# Mix it into a labeled pair set with LabeledUnlabeledDataset.
_base_ = ['./unlabeled_300vw_frames.py']

unlabeled_codec_128 = dict(
    type='MSRAHeatmap', input_size=(128, 128), heatmap_size=(64, 64), sigma=2)
unlabeled_video_view_pipeline_128 = [
    dict(type='LoadFaceImage'),
    dict(type='GetBBoxCenterScale'),
    dict(type='TopdownAffine', input_size=unlabeled_codec_128['input_size']),
    dict(type='GenerateTarget', encoder=unlabeled_codec_128),
    dict(type='PackFaceInputs')
]
unlabeled_dataset = dict(pipeline=unlabeled_video_view_pipeline_128)
