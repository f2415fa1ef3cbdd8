# All four SHT phases (Sec. 4.1) on a tiny model and tiny synthetic data,
# for the engine tests (resume, DDP, NaN guard, publishing). CPU, seconds.
#
# SHT_TINY_DATA names a folder with `300w/` (labeled, raw 300W layout) and
# `celeba/` (unlabeled, raw CelebA layout), as the tests write them with
# sht.synthetic. Phases: 3 iterations DHLN, 3 FPTN, 4 SHT, 4 weakly
# supervised SHT (labeled + unlabeled pairs).
_base_ = [
    '../../../configs/_base_/default_runtime.py',
    '../../../configs/_base_/models/fptn.py'
]

custom_imports = dict(imports=['sht', 'helpers.engine_testing'],
                      allow_failed_imports=False)

data_root = '{{$SHT_TINY_DATA:data/sht_tiny}}'
num_keypoints = 68
hr_size = 32  # HR crop; LR 8 -> bicubic up to 16; SR x2; heatmaps 16x16
heatmap_size = 16

codec = dict(
    type='MSRAHeatmap',
    input_size=(hr_size, hr_size),
    heatmap_size=(heatmap_size, heatmap_size),
    sigma=1)

model = dict(
    type='SHTEstimator',
    train_mode='dhln',  # SHTTrainLoop sets it from the iteration
    lr_size=8,
    lr_upsample_to=heatmap_size,
    data_preprocessor=dict(
        type='PoseDataPreprocessor',
        mean=[0., 0., 0.],
        std=[255., 255., 255.],
        bgr_to_rgb=True),
    backbone=dict(
        type='DHLN',
        num_keypoints=num_keypoints,
        num_stacks=1,
        stack_channels=16,
        hourglass_depth=2,
        sr_channels=8,
        num_sr_blocks=1,
        sr_hidden_channels=8,
        sr_scale=hr_size // heatmap_size),
    head=dict(
        type='DHLNHead',
        num_keypoints=num_keypoints,
        gamma_heatmap=1.0,
        gamma_sr=0.01,
        gamma_grad=0.01,
        loss_heatmap=dict(type='HeatmapSquaredL2Loss'),
        loss_sr=dict(type='PixelL1Loss'),
        loss_grad=dict(type='GradientL1Loss'),
        decoder=codec),
    fptn=dict(
        generator=dict(type='PATBGenerator', base_channels=4, num_blocks=1),
        discriminator=dict(
            type='PoseTransferDiscriminator',
            base_channels=4,
            num_res_blocks=1),
        gan_loss=dict(type='DualDiscriminatorGANLoss', gan_type='lsgan'),
        # random VGG weights: no download (tests only)
        perceptual_loss=dict(type='VGGPerceptualL1Loss', vgg_weights=None)),
    train_cfg=dict(),
    test_cfg=dict(flip_test=False))

view_pipeline = [
    dict(type='LoadFaceImage'),
    dict(type='GetBBoxCenterScale'),
    dict(type='RandomPairView', rotate_factor=30, scale_factor=(0.8, 1.2)),
    dict(type='TopdownAffine', input_size=codec['input_size']),
    dict(type='GenerateTarget', encoder=codec),
    dict(type='PackFaceInputs')
]
labeled_pairs = dict(
    type='FacePairDataset',
    pair_mode='image',
    dataset=dict(
        type='SHTFace300WDataset',
        data_root=data_root + '/300w',
        raw_split='train'),
    pipeline=view_pipeline)
# the same pairs, of the unlabeled faces
unlabeled_pairs = dict(
    labeled_pairs,
    dataset=dict(type='SHTCelebADataset', data_root=data_root + '/celeba',
                 raw_split='all', aligned=False, labeled=False))

# phases 1-3: labeled pairs (2 pairs = 4 faces per batch); an infinite
# sampler, as mmengine advises for iteration-based loops
train_dataloader = dict(
    batch_size=2,
    num_workers=0,
    persistent_workers=False,
    sampler=dict(type='InfiniteSampler', shuffle=True),
    collate_fn=dict(type='pair_collate'),
    dataset=labeled_pairs)
# phase 4: one labeled and one unlabeled pair per batch (Eq. 9-10)
weak_dataloader = dict(
    batch_size=2,
    num_workers=0,
    persistent_workers=False,
    sampler=dict(type='MixedRatioSampler', batch_size=2, labeled_ratio=0.5),
    collate_fn=dict(type='pair_collate'),
    dataset=dict(
        type='LabeledUnlabeledDataset',
        labeled=labeled_pairs,
        unlabeled=unlabeled_pairs))

# 14 iterations (from the phases)
train_cfg = dict(
    type='SHTTrainLoop',
    phases=[
        dict(name='dhln', iters=3),
        dict(name='fptn', iters=3),
        dict(name='sht', iters=4),
        dict(name='sht_weak', iters=4, train_dataloader='weak_dataloader')
    ],
    val_interval=1000)
# optim_wrapper (Adam 2e-4 on both sides) and model_wrapper_cfg: FPTN's base

custom_hooks = [
    dict(type='SyncBuffersHook'),
    # test-only: SIGKILL at an iteration (kill_at=None: never)
    dict(type='KillAtIterationHook', kill_at=None),
    # test-only: per-rank parameter sums at the end of training
    dict(type='ParamDigestHook'),
]
default_hooks = dict(
    logger=dict(type='LoggerHook', interval=1),
    # every iteration from the first of phase 3 (7th) on
    checkpoint=dict(
        type='CheckpointHook',
        by_epoch=False,
        interval=1,
        save_begin=7,
        max_keep_ckpts=3),
    visualization=dict(type='PoseVisualizationHook', enable=False))
log_processor = dict(
    type='LogProcessor', window_size=1, by_epoch=False, num_digits=6)
randomness = dict(seed=0, deterministic=True)
env_cfg = dict(
    cudnn_benchmark=False,
    mp_cfg=dict(mp_start_method='fork', opencv_num_threads=1),
    dist_cfg=dict(backend='gloo'))
