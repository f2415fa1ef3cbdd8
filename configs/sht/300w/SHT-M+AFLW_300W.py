# SHT-M (+AFLW) of Table 6 (300W, NME_ip): SHT-M fine-tuned further with
# the AFLW training faces used without their landmarks (phase 4 of Sec. 4.1,
# Eq. 9-10), the unlabeled data of TS (+AFLW). Each batch holds 8 pairs:
# labeled 300W pairs and unlabeled AFLW pairs (two random rotations/scales
# of one face). Starts from SHT-M_300W's last checkpoint.
# Paper (NME_ip %): common 2.94, challenging 5.97, full 3.53.
_base_ = [
    '../../_base_/weak_supervision/sht-m_300w.py',
    '../../_base_/datasets/unlabeled_aflw_256.py'
]

load_from = 'work_dirs/SHT-M_300W/iter_40000.pth'
weak_dataloader = dict(dataset=dict(unlabeled={{_base_.unlabeled_dataset}}))
