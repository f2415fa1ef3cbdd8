# The tiny SHT config of the engine tests with a test set (the 300W-layout
# test faces of SHT_TINY_DATA) and the landmark metric, for tools/test.py.
_base_ = ['./sht_tiny_phases.py']

data_root = '{{$SHT_TINY_DATA:data/sht_tiny}}'
test_pipeline = [
    dict(type='LoadFaceImage'),
    dict(type='GetBBoxCenterScale'),
    dict(type='TopdownAffine', input_size=(32, 32)),
    dict(type='PackFaceInputs')
]
test_dataloader = dict(
    batch_size=2,
    num_workers=0,
    persistent_workers=False,
    sampler=dict(type='DefaultSampler', shuffle=False),
    dataset=dict(
        type='SHTFace300WDataset',
        data_root=data_root + '/300w',
        raw_split='full',
        test_mode=True,
        pipeline=test_pipeline))
test_evaluator = dict(type='FaceLandmarkMetric', norm_modes=('io', ))
test_cfg = dict()
# testing needs none of the training hooks; ParamDigestHook writes the
# tested model's weights (test_weights_rank0.pth)
custom_hooks = [dict(type='ParamDigestHook')]
