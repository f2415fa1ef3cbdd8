# Unlabeled image pairs, 256x256 HR crops: each view a random rotation in
# (-30, 30) deg and box scale in (0.8, 1.2) of one face (Sec. 4.1). The
# landmarks are dropped (labeled=False, Eq. 10), so the faces take the
# labeled set's keypoint layout (K zeros) when mixed into a labeled pair set
# with LabeledUnlabeledDataset. unlabeled_<source>_256.py add the faces'
# source.
# Only `unlabeled_*` names are defined, so a file built on this one can be a
# base beside a labeled dataset base.
unlabeled_codec_256 = dict(
    type='MSRAHeatmap', input_size=(256, 256), heatmap_size=(64, 64), sigma=2)
unlabeled_pair_view_pipeline_256 = [
    dict(type='LoadFaceImage'),
    dict(type='GetBBoxCenterScale'),
    dict(type='RandomPairView', rotate_factor=30, scale_factor=(0.8, 1.2)),
    dict(type='TopdownAffine', input_size=unlabeled_codec_256['input_size']),
    dict(type='GenerateTarget', encoder=unlabeled_codec_256),
    dict(type='PackFaceInputs')
]
unlabeled_dataset = dict(
    type='FacePairDataset',
    pair_mode='image',
    # Skip reading every image's header at start-up (CelebA has ~200k
    # images); LoadFaceImage still names a missing or broken file.
    dataset=dict(labeled=False, check_images=False),
    pipeline=unlabeled_pair_view_pipeline_256)
