# SHT-M (+YouTube-Face) of Table 6 (300W, NME_ip): SHT-M fine-tuned further
# with unlabeled YouTube Faces frames (phase 4 of Sec. 4.1, Eq. 9-10), the
# unlabeled data of SBR (+YouTube-Face). Each batch holds 8 pairs: labeled
# 300W pairs and unlabeled pairs of two random frames of one video. Starts
# from SHT-M_300W's last checkpoint.
# Paper (NME_ip %): common 2.98, challenging 6.07, full 3.59.
_base_ = [
    '../../_base_/weak_supervision/sht-m_300w.py',
    '../../_base_/datasets/unlabeled_youtube_faces_256.py'
]

load_from = 'work_dirs/SHT-M_300W/iter_40000.pth'
weak_dataloader = dict(dataset=dict(unlabeled={{_base_.unlabeled_dataset}}))
