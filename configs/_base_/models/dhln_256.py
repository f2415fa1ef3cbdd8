# DHLN, "-M" setting (paper Sec. 4.3, Tables 2-4): the pipeline crops a
# 256x256 HR face, the model degrades it (bicubic) to a 64x64 LR input and
# hallucinates the 256x256 face back (SR tail x4). Heatmaps are 64x64.
# `custom_imports = dict(imports=['sht'])` and `default_scope = 'mmpose'`
# come from ../default_runtime.py: mmengine rejects a key defined in two
# bases of one config, and every row config has both files as bases.

hr_size = 256
num_keypoints = 68

# Our choice (the paper does not say): MSRA heatmaps, sigma 2, on the 64x64
# heatmap grid; the codec's input_size is the HR crop size.
codec = dict(
    type='MSRAHeatmap',
    input_size=(hr_size, hr_size),
    heatmap_size=(64, 64),
    sigma=2)

model = dict(
    type='DHLNEstimator',
    lr_size=64,
    lr_upsample_to=None,
    data_preprocessor=dict(
        type='PoseDataPreprocessor',
        mean=[0., 0., 0.],
        std=[255., 255., 255.],
        bgr_to_rgb=True),
    backbone=dict(
        type='DHLN',
        num_keypoints=num_keypoints,
        num_stacks=4,
        stack_channels=256,
        hourglass_depth=4,
        sr_channels=64,
        num_sr_blocks=4,
        sr_scale=4,
        with_sr_stream=True,
        with_landmark_stream=True),
    head=dict(
        type='DHLNHead',
        num_keypoints=num_keypoints,
        # (gamma1, gamma2, gamma3) of Eq. 4 (paper Sec. 4.1); gamma1 is 0
        # for samples with metainfo labeled=False
        gamma_heatmap=1.0,
        gamma_sr=0.01,
        gamma_grad=0.01,
        loss_heatmap=dict(type='HeatmapSquaredL2Loss'),
        loss_sr=dict(type='PixelL1Loss'),
        loss_grad=dict(type='GradientL1Loss'),
        decoder=codec),
    test_cfg=dict(flip_test=True, flip_mode='heatmap', shift_heatmap=True))
