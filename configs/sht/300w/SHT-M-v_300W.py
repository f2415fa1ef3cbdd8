# SHT-M-v of Table 2 (300W): SHT-M fine-tuned further with unlabeled 300VW
# frames (phase 4 of Sec. 4.1, Eq. 9-10: no heatmap term for them). Each
# batch holds 8 pairs: labeled 300W pairs and unlabeled 300VW pairs (two
# random frames of one training video). Starts from SHT-M_300W's last
# checkpoint.
# Paper (NME_io %): common 2.50, challenging 4.14, full 2.82.
_base_ = [
    '../../_base_/weak_supervision/sht-m_300w.py',
    '../../_base_/datasets/unlabeled_300vw_256.py'
]

load_from = 'work_dirs/SHT-M_300W/iter_40000.pth'
weak_dataloader = dict(dataset=dict(unlabeled={{_base_.unlabeled_dataset}}))
