# The labeled dataloaders of the "-M" setting (Tables 2-4): 256x256 HR
# crops, 64x64 heatmaps (face_pipelines_256.py), and the setting's
# evaluator.
_base_ = ['./face_pipelines_256.py', './face_dataloaders.py']

train_dataloader = dict(dataset=dict(pipeline=_base_.train_pipeline))
val_dataloader = dict(dataset=dict(pipeline=_base_.val_pipeline))
test_dataloader = val_dataloader
train_pair_dataset = dict(pipeline=_base_.pair_view_pipeline)

# NME_io and NME_ip (300W's Table 2 reports NME_io on common, challenging and
# full; 300VW reads the same), and PSNR / SSIM of the hallucinated faces.
# AFLW and WFLW name their own landmark metric.
val_evaluator = [
    dict(
        type='FaceLandmarkMetric',
        norm_modes=('io', 'ip'),
        thresholds=(0.08, 0.1)),
    dict(type='HallucinationMetric', crop_border=4)
]
test_evaluator = val_evaluator
