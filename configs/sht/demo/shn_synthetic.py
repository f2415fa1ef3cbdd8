# SHN baseline of the demo (Table 2's "SHN (256x256)" in miniature): the
# hourglass of DHLN alone (no face hallucination stream, no fusion blocks)
# on the HR face (64x64, no degradation), a stride-2 stem giving the 32x32
# heatmaps of DHLN. NME only: there is no face.
_base_ = ['./dhln_synthetic.py']

model = dict(
    lr_size=_base_.hr_size,  # the HR face is the input
    backbone=dict(with_sr_stream=False, stem_stride=2))
test_evaluator = [
    dict(type='FaceLandmarkMetric', norm_modes=('io', ), thresholds=(0.08, ))
]
