# Unlabeled 300VW frames for "SHT-v" (Tables 1, 5): video pairs, two random
# frames of one training video (Sec. 4.1), 128x128 HR crops. Boxes come from
# the 300VW annotations; the landmarks are dropped (labeled=False, Eq. 10).
# Data: `python tools/dataset_converters/300vw2coco.py data/300vw data/300vw`
# (the paper uses the 50 training videos, 95,192 frames).
# Mix it into a labeled pair set with LabeledUnlabeledDataset.
unlabeled_codec_128 = dict(
    type='MSRAHeatmap', input_size=(128, 128), heatmap_size=(64, 64), sigma=2)
unlabeled_video_view_pipeline_128 = [
    dict(type='LoadFaceImage'),
    dict(type='GetBBoxCenterScale'),
    dict(type='TopdownAffine', input_size=unlabeled_codec_128['input_size']),
    dict(type='GenerateTarget', encoder=unlabeled_codec_128),
    dict(type='PackFaceInputs')
]
unlabeled_dataset = dict(
    type='FacePairDataset',
    pair_mode='video',
    dataset=dict(
        type='SHTFace300VWDataset',
        data_root='data/300vw/',
        ann_file='300vw_train.json',
        labeled=False,
        check_images=False),
    pipeline=unlabeled_video_view_pipeline_128)
