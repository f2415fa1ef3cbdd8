# SHT-M-i (+CelebA) of Table 6 (300W, NME_ip): the SHT-M-i training of
# Table 2 (300W labeled + CelebA unlabeled), compared there with Semi-SPAN
# (+CelebA) under the inter-pupil normalisation. Nothing differs from
# SHT-M-i_300W: one test run of that checkpoint prints both NME_io (Table 2)
# and NME_ip (Table 6). The paper reports the two tables' numbers separately.
# Paper (NME_ip %): common 2.97, challenging 6.12, full 3.59.
_base_ = ['./SHT-M-i_300W.py']
