# SHT-v* of Table 5 (CelebA): SHT-v without the gradient loss, gamma3 = 0 in
# Eq. 4 / 10 (L1 on the gradient maps of Eq. 3 off). Its earlier phases are
# therefore SHT-nograd_CelebA, whose last checkpoint it starts from.
# Paper: PSNR 28.70, SSIM 0.8366, NME_wid 0.1207.
_base_ = ['./SHT-v_CelebA.py']

model = dict(head=dict(gamma_grad=0.0))
load_from = 'work_dirs/SHT-nograd_CelebA/iter_40000.pth'
