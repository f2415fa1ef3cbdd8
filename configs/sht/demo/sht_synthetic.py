# The CPU demo (`bash tools/demo.sh`): a small DHLN + FPTN trained through
# all four phases of the SHT recipe (Sec. 4.1) on generated faces, in about
# ten minutes on two CPU cores.
#
# Data (written by tools/demo.sh with tools/misc/generate_synthetic_faces.py):
#   data/synthetic/300w/   labeled faces in the raw 300W layout (68 points):
#                          train = afw + helen/trainset + lfpw/trainset,
#                          test  = helen/testset + lfpw/testset + ibug
#   data/synthetic/300vw/  unlabeled videos in the raw 300VW layout (their
#                          landmarks are dropped: labeled=False, Eq. 10)
#
# Demo setting (smaller than the paper's, same structure as its "-M" rows,
# where the 64x64 LR face is the DHLN input): the pipeline crops a 64x64 HR
# face; the model degrades it by bicubic down-sampling to the 32x32 LR face
# (x2), DHLN's input, and hallucinates the 64x64 face (SR tail x2); heatmaps
# are 32x32. One hourglass stack of 32 channels, SR stream of 16 channels.
#
# Phases (one run, SHTTrainLoop): DHLN (Eq. 4), FPTN on ground-truth heatmaps
# (Eq. 5-8; DHLN frozen), SHT fine-tuning on labeled image pairs (Eq. 9),
# weakly supervised SHT on labeled image pairs + unlabeled video pairs
# (Eq. 9-10). A checkpoint is kept every `phase_unit` iterations, so every
# phase ends on one (tools/misc/run_demo.py evaluates those).
#
# The perceptual term (Eq. 8) runs on randomly initialised VGG-19 relu1_2
# features: the demo downloads nothing. Use a local VGG-19 file for real
# training (model.fptn.perceptual_loss.vgg_weights).
_base_ = ['../../_base_/default_runtime.py']

# SHT_DEMO_DATA overrides the data folder (the tests use their own)
data_root = '{{$SHT_DEMO_DATA:data/synthetic}}'
num_keypoints = 68
# read by mmpose's MMPoseInferencer (the test set's class, top-down)
dataset_type = 'SHTFace300WDataset'
data_mode = 'topdown'
hr_size = 64
lr_size = 32
heatmap_size = 32

# iterations per checkpoint; each phase is a whole number of them
phase_unit = 100
phase_iters = dict(dhln=10 * phase_unit, fptn=3 * phase_unit, sht=phase_unit,
                   sht_weak=phase_unit)

# Our choice for the demo: unbiased (DARK) encoding and decoding. One heatmap
# pixel is 2 HR pixels, a tenth of the inter-ocular distance: sub-pixel
# targets and decoding matter at this size.
codec = dict(
    type='MSRAHeatmap',
    input_size=(hr_size, hr_size),
    heatmap_size=(heatmap_size, heatmap_size),
    sigma=2,
    unbiased=True,
    blur_kernel_size=11)

model = dict(
    type='SHTEstimator',
    train_mode='dhln',  # SHTTrainLoop sets it per phase
    lr_size=lr_size,
    lr_upsample_to=None,  # the LR face is the DHLN input
    data_preprocessor=dict(
        type='PoseDataPreprocessor',
        mean=[0., 0., 0.],
        std=[255., 255., 255.],
        bgr_to_rgb=True),
    backbone=dict(
        type='DHLN',
        num_keypoints=num_keypoints,
        num_stacks=1,
        stack_channels=32,
        hourglass_depth=3,
        sr_channels=16,
        num_sr_blocks=2,
        sr_hidden_channels=32,
        sr_scale=hr_size // lr_size),
    head=dict(
        type='DHLNHead',
        num_keypoints=num_keypoints,
        # (gamma1, gamma2, gamma3) of Eq. 4: the paper's, under the loss
        # convention of docs/architecture.md (per-image norms, batch mean)
        gamma_heatmap=1.0,
        gamma_sr=0.01,
        gamma_grad=0.01,
        loss_heatmap=dict(type='HeatmapSquaredL2Loss'),
        loss_sr=dict(type='PixelL1Loss'),
        loss_grad=dict(type='GradientL1Loss'),
        decoder=codec),
    fptn=dict(
        generator=dict(
            type='PATBGenerator',
            base_channels=8,
            num_blocks=2,
            # our addition to PATN (models/fptn/warp_head.py): the
            # condition face warped by a predicted flow, blended with the
            # decoded face. Without it this small generator stays behind
            # copying the condition face within the CPU budget (docs/demo.md)
            warp=True,
            norm_cfg=dict(type='IN')),
        discriminator=dict(
            type='PoseTransferDiscriminator',
            base_channels=8,
            num_res_blocks=1,
            out_channels=1,
            norm_cfg=dict(type='IN')),
        gan_loss=dict(type='DualDiscriminatorGANLoss', gan_type='lsgan'),
        # random VGG-19 relu1_2 features (nothing is downloaded)
        perceptual_loss=dict(type='VGGPerceptualL1Loss', vgg_weights=None),
        # (lambda1, lambda2, lambda3) of Eq. 5, paper Sec. 4.1
        loss_weights=dict(gan=0.05, l1=0.01, perceptual=0.01)),
    train_cfg=dict(),
    test_cfg=dict(flip_test=False, output_heatmaps=True))

# One view of a pair (Sec. 4.1): rotation in (-30, 30) deg, scale (0.8, 1.2).
pair_view_pipeline = [
    dict(type='LoadFaceImage'),
    dict(type='GetBBoxCenterScale'),
    dict(type='RandomPairView', rotate_factor=30, scale_factor=(0.8, 1.2)),
    dict(type='TopdownAffine', input_size=codec['input_size']),
    dict(type='GenerateTarget', encoder=codec),
    dict(type='PackFaceInputs')
]
test_pipeline = [
    dict(type='LoadFaceImage'),
    dict(type='GetBBoxCenterScale'),
    dict(type='TopdownAffine', input_size=codec['input_size']),
    dict(type='PackFaceInputs')
]

labeled_pairs = dict(
    type='FacePairDataset',
    pair_mode='image',
    # 300W's keypoints, for mmpose's init_model / MMPoseInferencer
    metainfo=dict(from_file='{{ fileDirname }}/../../_base_/datasets/300w.py'),
    dataset=dict(
        type='SHTFace300WDataset',
        data_root=data_root + '/300w',
        raw_split='train',
        check_images=False),
    pipeline=pair_view_pipeline)
unlabeled_video_pairs = dict(
    type='FacePairDataset',
    pair_mode='video',
    dataset=dict(
        type='SHTFace300VWDataset',
        data_root=data_root + '/300vw',
        raw_split='all',
        labeled=False,
        check_images=False),
    pipeline=pair_view_pipeline)

# phase 1 (DHLN): 8 labeled pairs (16 faces) per batch
train_dataloader = dict(
    batch_size=8,
    num_workers=1,
    persistent_workers=True,
    sampler=dict(type='InfiniteSampler', shuffle=True),
    collate_fn=dict(type='pair_collate'),
    dataset=labeled_pairs)
# phases 2-3 (FPTN, SHT): 4 labeled pairs per batch (the GAN costs more)
gan_dataloader = dict(train_dataloader, batch_size=4)
# phase 4: 2 labeled + 2 unlabeled video pairs per batch (Eq. 9-10)
weak_dataloader = dict(
    batch_size=4,
    num_workers=1,
    persistent_workers=True,
    sampler=dict(type='MixedRatioSampler', batch_size=4, labeled_ratio=0.5),
    collate_fn=dict(type='pair_collate'),
    dataset=dict(
        type='LabeledUnlabeledDataset',
        labeled=labeled_pairs,
        unlabeled=unlabeled_video_pairs))

test_dataloader = dict(
    batch_size=32,
    num_workers=0,
    persistent_workers=False,
    drop_last=False,
    sampler=dict(type='DefaultSampler', shuffle=False, round_up=False),
    dataset=dict(
        type='SHTFace300WDataset',
        data_root=data_root + '/300w',
        raw_split='full',
        test_mode=True,
        check_images=False,
        pipeline=test_pipeline))
# NME normalised by the inter-ocular distance, AUC / FR at 0.08 (300W);
# PSNR / SSIM on Y with a border of the scale factor (x2) removed.
test_evaluator = [
    dict(type='FaceLandmarkMetric', norm_modes=('io', ), thresholds=(0.08, )),
    dict(type='HallucinationMetric', crop_border=hr_size // lr_size)
]
test_cfg = dict(type='TestLoop')


# Generator side (DHLN + FPTN's generator) and discriminator side (D_A, D_S).
# Our choice for the demo: Adam at 2e-3 for DHLN in phase 1, FPTN's generator
# and the discriminators at 1e-3 in phase 2 (PATN's 2e-4 is too slow for 300
# iterations); from the SHT fine-tuning on, the generator side runs at
# finetune_lr_factor of that (the control runs at the same rates).
generator_lr = 2e-3
finetune_lr_factor = 0.1
optim_wrapper = dict(
    constructor='SHTOptimWrapperConstructor',
    generator=dict(
        type='OptimWrapper',
        optimizer=dict(type='Adam', lr=generator_lr, betas=(0.5, 0.999)),
        # FPTN's generator at 1e-3 in phase 2
        paramwise_cfg=dict(custom_keys={'generator': dict(lr_mult=0.5)})),
    discriminator=dict(
        type='OptimWrapper',
        optimizer=dict(type='Adam', lr=1e-3, betas=(0.5, 0.999))))
param_scheduler = dict(
    generator=[
        dict(
            type='MultiStepLR',
            by_epoch=False,
            milestones=[phase_iters['dhln'] + phase_iters['fptn']],
            gamma=finetune_lr_factor)
    ],
    discriminator=[dict(type='ConstantLR', by_epoch=False, factor=1.0)])
model_wrapper_cfg = dict(
    type='MMSeparateDistributedDataParallel',
    broadcast_buffers=False,
    find_unused_parameters=True)

sht_phases = [
    dict(name='dhln', iters=phase_iters['dhln']),
    dict(
        name='fptn',
        iters=phase_iters['fptn'],
        train_dataloader='gan_dataloader'),
    # phases 3-4: DHLN's BatchNorm statistics stay those of phase 1 (our
    # choice; batches of 4 pairs, half of them unlabeled video frames in
    # phase 4, made phase 3's checkpoints jump: NME_io 6.9-12.2% over three
    # seeds with them updated, 5.6-5.7% frozen, docs/demo.md)
    dict(
        name='sht',
        iters=phase_iters['sht'],
        train_dataloader='gan_dataloader',
        norm_eval=['backbone.']),
    dict(
        name='sht_weak',
        iters=phase_iters['sht_weak'],
        train_dataloader='weak_dataloader',
        norm_eval=['backbone.']),
]
# max_iters follows from the phases (sum(phase_iters.values()))
train_cfg = dict(type='SHTTrainLoop', phases=sht_phases, val_interval=10**9)
custom_hooks = []
default_hooks = dict(
    logger=dict(type='LoggerHook', interval=25),
    checkpoint=dict(
        type='CheckpointHook',
        by_epoch=False,
        interval=phase_unit,
        max_keep_ckpts=-1,
        save_last=True),
    visualization=dict(type='PoseVisualizationHook', enable=False))
log_processor = dict(
    type='LogProcessor', window_size=25, by_epoch=False, num_digits=5)
randomness = dict(seed=0)
env_cfg = dict(
    cudnn_benchmark=False,
    mp_cfg=dict(mp_start_method='fork', opencv_num_threads=1),
    dist_cfg=dict(backend='gloo'))
