# SHT-v* of Table 5 (Helen): SHT-v without the gradient loss, gamma3 = 0 in
# Eq. 4 / 10 (L1 on the gradient maps of Eq. 3 off). Its earlier phases are
# therefore SHT-nograd_Helen, whose last checkpoint it starts from.
# Paper: PSNR 27.89, SSIM 0.8301, NME_wid 0.3109.
_base_ = ['./SHT-v_Helen.py']

model = dict(head=dict(gamma_grad=0.0))
load_from = 'work_dirs/SHT-nograd_Helen/iter_40000.pth'
