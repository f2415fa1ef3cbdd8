# SHT-M-i of Table 4 (WFLW): SHT-M fine-tuned further with unlabeled CelebA
# faces (phase 4 of Sec. 4.1, Eq. 9-10: no heatmap term for them). Each batch
# holds 8 pairs: labeled WFLW pairs and unlabeled CelebA pairs (two random
# rotations/scales of one face). Starts from SHT-M_WFLW's last checkpoint.
# Paper: NME_io % 3.92, AUC_io@10 0.621, FR_io@10 % 2.36.
_base_ = [
    '../../_base_/weak_supervision/sht-m_wflw.py',
    '../../_base_/datasets/unlabeled_celeba_256.py'
]

load_from = 'work_dirs/SHT-M_WFLW/iter_40000.pth'
weak_dataloader = dict(dataset=dict(unlabeled={{_base_.unlabeled_dataset}}))
