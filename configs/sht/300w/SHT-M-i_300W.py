# SHT-M-i of Table 2 (300W): SHT-M fine-tuned further with unlabeled CelebA
# faces (phase 4 of Sec. 4.1, Eq. 9-10: no heatmap term for them). Each batch
# holds 8 pairs: labeled 300W pairs and unlabeled CelebA pairs (two random
# rotations/scales of one face). Starts from SHT-M_300W's last checkpoint.
# Paper (NME_io %): common 2.46, challenging 4.07, full 2.78.
_base_ = [
    '../../_base_/weak_supervision/sht-m_300w.py',
    '../../_base_/datasets/unlabeled_celeba_256.py'
]

load_from = 'work_dirs/SHT-M_300W/iter_40000.pth'
weak_dataloader = dict(dataset=dict(unlabeled={{_base_.unlabeled_dataset}}))
