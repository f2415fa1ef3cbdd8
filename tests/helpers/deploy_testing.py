"""Tiny versions of the project's configs for the deployment tests.

Each writes a config file that inherits a real config of the repository and
shrinks DHLN (and FPTN) so the CPU tests take seconds.
"""
import os.path as osp
from pathlib import Path
from typing import Dict

from helpers import REPO_ROOT
from helpers.tiny_models import TINY_DHLN, TINY_FPTN

REPO = Path(REPO_ROOT)
CONFIGS = REPO / 'configs' / 'sht'

# "-M" setting at 1/4 size: HR 64 -> LR 16, SR x4, 16x16 heatmaps
TINY_M = dict(hr=64, lr_size=16, lr_upsample_to=None, heatmap=16, sr=4)
# CelebA setting at 1/4 size: HR 32 -> 4 -> bicubic up to 16, SR x2
TINY_CELEBA = dict(hr=32, lr_size=4, lr_upsample_to=16, heatmap=16, sr=2)

_TEMPLATE = '''_base_ = [{base!r}]
codec = dict(type='MSRAHeatmap', input_size=({hr}, {hr}),
             heatmap_size=({heatmap}, {heatmap}), sigma=1)
model = dict(
    lr_size={lr_size},
    lr_upsample_to={lr_upsample_to},
    backbone=dict({backbone}, sr_scale={sr}),
    head=dict(decoder=codec),
    test_cfg=dict(flip_test=False){extra})
'''

_FPTN = ',\n    fptn=dict(generator=dict({generator}),\n              discriminator=dict({discriminator}))'.format(
    **{part: ', '.join(f'{k}={v!r}' for k, v in sizes.items())
       for part, sizes in TINY_FPTN.items()})


def write_tiny_config(folder: Path,
                      base: str,
                      setting: Dict = TINY_M,
                      name: str = None,
                      **backbone) -> str:
    """Write a tiny config inheriting ``configs/sht/<base>``.

    Args:
        folder (Path): Where to write it.
        base (str): Config relative to ``configs/sht`` (e.g.
            ``'300w/DHLN-M_300W.py'``).
        setting (dict): :data:`TINY_M` or :data:`TINY_CELEBA`.
        name (str, optional): File name. Defaults to the base's name.
        **backbone: Extra backbone overrides (e.g. ``with_sr_stream``).

    Returns:
        str: The config path.
    """
    bb = dict(TINY_DHLN, **backbone)
    text = _TEMPLATE.format(
        base=str(CONFIGS / base),
        backbone=', '.join(f'{k}={v!r}' for k, v in bb.items()),
        extra=_FPTN if 'SHT' in osp.basename(base) else '',
        **setting)
    path = Path(folder) / (name or osp.basename(base))
    path.write_text(text)
    return str(path)


_TEST_SET = '''_base_ = [{base!r}]
test_dataloader = dict(
    _delete_=True,
    batch_size=4,
    num_workers=0,
    persistent_workers=False,
    drop_last=False,
    sampler=dict(type='DefaultSampler', shuffle=False, round_up=False),
    dataset=dict(
        type='SHTFace300WDataset',
        data_root={root!r},
        raw_split='full',
        test_mode=True,
        check_images=False,
        pipeline=[
            dict(type='LoadFaceImage'),
            dict(type='GetBBoxCenterScale'),
            dict(type='TopdownAffine', input_size=({hr}, {hr})),
            dict(type='PackFaceInputs')
        ]))
test_evaluator = [
    dict(type='FaceLandmarkMetric', norm_modes=('io', ), thresholds=(0.08, )),
    dict(type='HallucinationMetric', crop_border=2)
]
model = dict(test_cfg=dict(flip_test={flip!r}))
'''


def with_synthetic_test_set(folder: Path, config: str, hr: int,
                            num_per_subset: int = 2,
                            flip_test: bool = False) -> str:
    """A config inheriting ``config`` whose test set is generated faces.

    Writes ``num_per_subset`` faces per 300W subset (seed 0, 128x128
    images) to ``folder/300w`` and a config reading its ``full`` split
    (3 subsets) through a test pipeline at the HR size ``hr``.

    Returns:
        str: The config path.
    """
    from sht.synthetic import write_300w
    root = Path(folder) / '300w'
    if not root.exists():
        write_300w(str(root), num_per_subset=num_per_subset, seed=0,
                   image_size=128)
    path = Path(folder) / ('testset_' + osp.basename(config))
    path.write_text(_TEST_SET.format(base=str(config), root=str(root), hr=hr,
                                     flip=flip_test))
    return str(path)


def random_checkpoint(config: str, path, seed: int = 0) -> str:
    """A checkpoint of the config's (DHLN) model with random weights and
    non-trivial BatchNorm statistics (as after training)."""
    import torch

    from sht.deployment.onnx_export import load_dhln
    torch.manual_seed(seed)
    model = load_dhln(config, None)
    gen = torch.Generator().manual_seed(seed)
    for m in model.modules():
        if isinstance(m, torch.nn.BatchNorm2d):
            c = m.num_features
            m.running_mean.copy_(torch.randn(c, generator=gen) * 0.3)
            m.running_var.copy_(torch.rand(c, generator=gen) + 0.5)
    torch.save({'state_dict': model.state_dict()}, str(path))
    return str(path)
