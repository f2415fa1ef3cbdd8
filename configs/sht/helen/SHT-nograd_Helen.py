# SHT* of Table 5 (Helen): SHT without the gradient loss, gamma3 = 0 in
# Eq. 4 (L1 on the gradient maps of Eq. 3 off). Its phase 1 is therefore
# DHLN-nograd_Helen, whose last checkpoint it starts from.
# Paper: PSNR 27.34, SSIM 0.8213, NME_wid 0.3183.
_base_ = ['./SHT_Helen.py']

model = dict(head=dict(gamma_grad=0.0))
load_from = 'work_dirs/DHLN-nograd_Helen/epoch_200.pth'
