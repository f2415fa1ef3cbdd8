# Schedule of the single-network rows (DHLN, FHS) of CelebA (168,854
# training faces, ~10.5k steps per epoch): phase 1 of the SHT recipe
# (Sec. 4.1, Eq. 4).
# The schedule of dhln_adam_60e.py (batch, optimizer, lr, warm-up and the
# lr scaling over GPUs are explained there) at another length.
# Our choice: 20 epochs, x0.1 at 12 and 17.
# The last checkpoint (epoch_20.pth) starts the SHT rows.
_base_ = ['./dhln_adam_60e.py']

max_epochs = 20
train_cfg = dict(max_epochs=max_epochs, val_interval=1)
param_scheduler = [
    _base_.param_scheduler[0],  # the warm-up
    dict(_base_.param_scheduler[1], end=max_epochs, milestones=[12, 17])
]
