# Schedule of the SHT rows: phases 2 and 3 of the SHT recipe (Sec. 4.1) in
# one iteration-based run of SHTTrainLoop, which derives the phase from the
# iteration (a resumed run lands in the right phase):
#   fptn  "FPTN is first trained using ground-truth landmark heatmaps"
#         (DHLN frozen, Eq. 5-8);
#   sht   "we construct SHT by combining the pretrained DHLN and FPTN and
#         then finetune the combined model" (Eq. 9).
#   sht_weak  "we extend the finetuning process by utilizing face images or
#         videos without landmark annotations" (Eq. 9-10).
# Phase 1 (DHLN, Eq. 4) is the run of the row's DHLN config; each SHT row
# starts from its last checkpoint (load_from) and ends after phase 3
# (end_phase). Phase 4 is the run of the weakly-supervised rows
# (_base_/weak_supervision/: start_phase='sht_weak'), which start from the SHT
# row's last checkpoint (iter_40000.pth) and read weak_dataloader
# (_base_/datasets/labeled_unlabeled_pairs.py).
# This file replaces default_runtime.py in the SHT rows (it extends it with
# the phased train loop and iteration-based logging and checkpoints).
#
# From the paper: batch 16 = 8 pairs of views (the rows' train_dataloader);
# Adam, lr 2e-4, betas (0.5, 0.999) for FPTN (PATN's, models/fptn.py).
# Our choice (the paper gives no phase lengths): 20k iterations for phases 2
# and 3, 40k for phase 4, constant learning rates, validation and checkpoints
# every 5k iterations.
_base_ = ['../default_runtime.py']

fptn_iters = 20000
sht_iters = 20000
# max_iters follows from the phases a run trains (40k); a NaN/inf loss stops
# the run naming the last good checkpoint (SHTTrainLoop)
train_cfg = dict(
    type='SHTTrainLoop',
    phases=[
        dict(name='fptn', iters=fptn_iters),
        dict(name='sht', iters=sht_iters),
        dict(name='sht_weak', iters=40000, train_dataloader='weak_dataloader'),
    ],
    end_phase='sht',
    val_interval=5000)
val_cfg = dict()
test_cfg = dict()

default_hooks = dict(
    checkpoint=dict(by_epoch=False, interval=5000, max_keep_ckpts=3))
log_processor = dict(by_epoch=False)

# The learning rates are for 8 pairs (16 faces) per step, as in the paper.
# On N GPUs keep 8 pairs in total (train_dataloader.batch_size=8/N) or train
# with --auto-scale-lr (lr x N for N x 8 pairs).
auto_scale_lr = dict(base_batch_size=8)
