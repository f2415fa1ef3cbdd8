# The labeled dataloaders of the CelebA/Helen setting (Table 1): 128x128 HR
# crops, 64x64 heatmaps (face_pipelines_128.py), and the setting's
# evaluator.
_base_ = ['./face_pipelines_128.py', './face_dataloaders.py']

train_dataloader = dict(dataset=dict(pipeline=_base_.train_pipeline))
val_dataloader = dict(dataset=dict(pipeline=_base_.val_pipeline))
test_dataloader = val_dataloader
train_pair_dataset = dict(pipeline=_base_.pair_view_pipeline)

# Table 1 reports NME_wid with PSNR / SSIM (16 -> 128: crop 8 px).
val_evaluator = [
    dict(type='FaceLandmarkMetric', norm_modes=('wid', ), thresholds=(0.1, )),
    dict(type='HallucinationMetric', crop_border=8)
]
test_evaluator = val_evaluator
