# DHLN* of Table 5 (CelebA): DHLN without the gradient loss, gamma3 = 0 in
# Eq. 4 (L1 on the gradient maps of Eq. 3 off).
# Also phase 1 of SHT-nograd_CelebA.
# Paper: PSNR 27.79, SSIM 0.8010, NME_wid 0.1285.
_base_ = ['./DHLN_CelebA.py']

model = dict(head=dict(gamma_grad=0.0))
