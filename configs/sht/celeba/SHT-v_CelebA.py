# SHT-v of Tables 1 and 5 (CelebA): SHT fine-tuned further with unlabeled
# 300VW frames (phase 4 of Sec. 4.1, Eq. 9-10: no heatmap term for them).
# Each batch holds 8 pairs: labeled CelebA pairs and unlabeled 300VW pairs (two
# random frames of one training video, 128x128 crops). Starts from SHT_CelebA's
# last checkpoint.
# Paper: PSNR 28.79, SSIM 0.8377, NME_wid 0.1198.
_base_ = [
    '../../_base_/weak_supervision/sht_celeba.py',
    '../../_base_/datasets/unlabeled_300vw_128.py'
]

load_from = 'work_dirs/SHT_CelebA/iter_40000.pth'
weak_dataloader = dict(dataset=dict(unlabeled={{_base_.unlabeled_dataset}}))
