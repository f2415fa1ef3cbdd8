# SHT* of Table 5 (CelebA): SHT without the gradient loss, gamma3 = 0 in
# Eq. 4 (L1 on the gradient maps of Eq. 3 off). Its phase 1 is therefore
# DHLN-nograd_CelebA, whose last checkpoint it starts from.
# Paper: PSNR 28.07, SSIM 0.8223, NME_wid 0.1254.
_base_ = ['./SHT_CelebA.py']

model = dict(head=dict(gamma_grad=0.0))
load_from = 'work_dirs/DHLN-nograd_CelebA/epoch_20.pth'
