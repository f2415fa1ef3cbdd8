# SHT-M-v of Table 3 (AFLW): SHT-M fine-tuned further with unlabeled 300VW
# frames (phase 4 of Sec. 4.1, Eq. 9-10: no heatmap term for them). Each
# batch holds 8 pairs: labeled AFLW pairs and unlabeled 300VW pairs (two
# random frames of one training video). Starts from SHT-M_AFLW's last
# checkpoint.
# Paper: NME_diag % full 1.13, frontal 0.99; NME_box % full 2.05;
# AUC_box@7 % full 71.6.
_base_ = [
    '../../_base_/weak_supervision/sht-m_aflw.py',
    '../../_base_/datasets/unlabeled_300vw_256.py'
]

load_from = 'work_dirs/SHT-M_AFLW/iter_40000.pth'
weak_dataloader = dict(dataset=dict(unlabeled={{_base_.unlabeled_dataset}}))
