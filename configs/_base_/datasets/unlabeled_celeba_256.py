# Unlabeled CelebA faces for "SHT-M-i" (Tables 2-4): image pairs, each view
# a random rotation in (-30, 30) deg and box scale in (0.8, 1.2) of one
# face (Sec. 4.1), 256x256 HR crops. Boxes come from CelebA's 5 landmarks
# (the landmarks themselves are dropped: labeled=False, Eq. 10).
# Mix it into a labeled pair set with LabeledUnlabeledDataset: the
# unlabeled faces then take the labeled set's keypoint layout (K zeros).
# Only `unlabeled_*` names are defined, so this file can be a base beside a
# labeled dataset base.
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
    dataset=dict(
        type='SHTCelebADataset',
        data_root='data/celeba/',
        raw_split='all',
        labeled=False,
        # CelebA has ~200k images: skip reading every header at start-up;
        # LoadFaceImage still names a missing or broken file.
        check_images=False),
    pipeline=unlabeled_pair_view_pipeline_256)
