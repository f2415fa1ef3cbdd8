# Schedule of the single-network rows (DHLN-M, SHN) of 300W, AFLW and WFLW:
# phase 1 of the SHT recipe (Sec. 4.1, "we initially train [DHLN] [...] with
# the corresponding loss function defined in Eq. (4)").
# From the paper: batch 16 (set by the dataset base, per GPU).
# Our choice (the paper gives no optimizer, learning rate or length): Adam,
# lr 5e-4, 500 iterations of linear warm-up, 60 epochs, x0.1 at 40 and 55.
# The last checkpoint (epoch_60.pth) starts the SHT rows.
# dhln_adam_20e.py and dhln_adam_200e.py change only the length.
max_epochs = 60
train_cfg = dict(by_epoch=True, max_epochs=max_epochs, val_interval=5)
val_cfg = dict()
test_cfg = dict()

optim_wrapper = dict(optimizer=dict(type='Adam', lr=5e-4))
param_scheduler = [
    dict(
        type='LinearLR', begin=0, end=500, start_factor=0.001, by_epoch=False),
    dict(
        type='MultiStepLR',
        begin=0,
        end=max_epochs,
        milestones=[40, 55],
        gamma=0.1,
        by_epoch=True)
]

# The lr above is for 16 faces per step (1 GPU x 16). On N GPUs either keep
# 16 in total (train_dataloader.batch_size=16/N) or train with
# --auto-scale-lr (lr x N/1 for N x 16 faces).
auto_scale_lr = dict(base_batch_size=16)
