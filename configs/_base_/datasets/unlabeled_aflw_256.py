# Unlabeled AFLW faces for "SHT-M (+AFLW)" (Table 6): the AFLW training
# images as image pairs, each view a random rotation in (-30, 30) deg and box
# scale in (0.8, 1.2) of one face (Sec. 4.1), 256x256 HR crops. Boxes come
# from mmpose's AFLW json; the 19 landmarks are dropped (labeled=False,
# Eq. 10), so the faces take the labeled set's keypoint layout when mixed.
# Data: mmpose's face_landmarks_aflw_train.json in data/aflw/annotations and
# the images in data/aflw/images (as for aflw.py).
# Mix it into a labeled pair set with LabeledUnlabeledDataset.
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
        type='SHTAFLWDataset',
        data_root='data/aflw/',
        ann_file='annotations/face_landmarks_aflw_train.json',
        data_prefix=dict(img='images/'),
        labeled=False,
        check_images=False),
    pipeline=unlabeled_pair_view_pipeline_256)
