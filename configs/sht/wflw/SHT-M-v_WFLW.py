# SHT-M-v of Table 4 (WFLW): SHT-M fine-tuned further with unlabeled 300VW
# frames (phase 4 of Sec. 4.1, Eq. 9-10: no heatmap term for them). Each
# batch holds 8 pairs: labeled WFLW pairs and unlabeled 300VW pairs (two
# random frames of one training video). Starts from SHT-M_WFLW's last
# checkpoint.
# Paper: NME_io % 3.96, AUC_io@10 0.618, FR_io@10 % 2.44.
_base_ = [
    '../../_base_/weak_supervision/sht-m_wflw.py',
    '../../_base_/datasets/unlabeled_300vw_256.py'
]

load_from = 'work_dirs/SHT-M_WFLW/iter_40000.pth'
weak_dataloader = dict(dataset=dict(unlabeled={{_base_.unlabeled_dataset}}))
