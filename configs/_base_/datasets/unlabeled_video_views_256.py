# The view of a frame in an unlabeled video pair, 256x256 HR crops: the
# frame's face box, without augmentation. A base beside
# unlabeled_video_pairs.py (or a file built on it): the pair set takes this
# pipeline.
unlabeled_codec_256 = dict(
    type='MSRAHeatmap', input_size=(256, 256), heatmap_size=(64, 64), sigma=2)
unlabeled_video_view_pipeline_256 = [
    dict(type='LoadFaceImage'),
    dict(type='GetBBoxCenterScale'),
    dict(type='TopdownAffine', input_size=unlabeled_codec_256['input_size']),
    dict(type='GenerateTarget', encoder=unlabeled_codec_256),
    dict(type='PackFaceInputs')
]
