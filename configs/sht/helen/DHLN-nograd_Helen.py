# DHLN* of Table 5 (Helen): DHLN without the gradient loss, gamma3 = 0 in
# Eq. 4 (L1 on the gradient maps of Eq. 3 off).
# Also phase 1 of SHT-nograd_Helen.
# Paper: PSNR 27.01, SSIM 0.8161, NME_wid 0.3231.
_base_ = ['./DHLN_Helen.py']

model = dict(head=dict(gamma_grad=0.0))
