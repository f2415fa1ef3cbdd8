# SHT-M-i of Table 3 (AFLW): SHT-M fine-tuned further with unlabeled CelebA
# faces (phase 4 of Sec. 4.1, Eq. 9-10: no heatmap term for them). Each batch
# holds 8 pairs: labeled AFLW pairs and unlabeled CelebA pairs (two random
# rotations/scales of one face). Starts from SHT-M_AFLW's last checkpoint.
# Paper: NME_diag % full 1.09, frontal 0.96; NME_box % full 2.01;
# AUC_box@7 % full 72.4.
_base_ = [
    '../../_base_/weak_supervision/sht-m_aflw.py',
    '../../_base_/datasets/unlabeled_celeba_256.py'
]

load_from = 'work_dirs/SHT-M_AFLW/iter_40000.pth'
weak_dataloader = dict(dataset=dict(unlabeled={{_base_.unlabeled_dataset}}))
