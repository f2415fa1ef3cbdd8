# The face pipelines of the labeled dataset bases, CelebA/Helen setting (Table 1)
# (128x128 HR crops, 64x64 heatmaps). A dataset base inherits this
# file and reads the pipelines as `_base_.train_pipeline` etc., so a
# change here reaches every dataset of the setting.
#
# Named `dataset_codec` (not `codec`): the model bases define `codec` and
# mmengine rejects a key defined in two bases of one config.
dataset_codec = dict(
    type='MSRAHeatmap', input_size=(128, 128), heatmap_size=(64, 64), sigma=2)

train_pipeline = [
    dict(type='LoadFaceImage'),
    dict(type='GetBBoxCenterScale'),
    dict(type='RandomFlip', direction='horizontal'),
    dict(
        type='RandomBBoxTransform',
        shift_prob=0,
        rotate_factor=60,
        scale_factor=(0.75, 1.25)),
    dict(type='TopdownAffine', input_size=dataset_codec['input_size']),
    dict(type='GenerateTarget', encoder=dataset_codec),
    dict(type='PackFaceInputs')
]
val_pipeline = [
    dict(type='LoadFaceImage'),
    dict(type='GetBBoxCenterScale'),
    dict(type='TopdownAffine', input_size=dataset_codec['input_size']),
    dict(type='PackFaceInputs')
]
test_pipeline = val_pipeline
# One view of an image pair for SHT (Sec. 4.1): rotation in (-30, 30) deg,
# box scale in (0.8, 1.2), from a truncated standard Gaussian.
pair_view_pipeline = [
    dict(type='LoadFaceImage'),
    dict(type='GetBBoxCenterScale'),
    dict(type='RandomPairView', rotate_factor=30, scale_factor=(0.8, 1.2)),
    dict(type='TopdownAffine', input_size=dataset_codec['input_size']),
    dict(type='GenerateTarget', encoder=dataset_codec),
    dict(type='PackFaceInputs')
]
