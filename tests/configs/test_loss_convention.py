"""Every config trains with the one loss convention of docs/architecture.md:
the paper's weights, each in one place, and loss modules without weights of
their own (the reduction itself is tested in tests/models and tests/fptn)."""
import glob
import os.path as osp

import pytest

from helpers.config_testing import CONFIG_ROOT, load_config

CONFIGS = sorted(glob.glob(osp.join(CONFIG_ROOT, '**', '*.py'),
                           recursive=True))
LOSS_TYPES = dict(
    loss_heatmap='HeatmapSquaredL2Loss',
    loss_sr='PixelL1Loss',
    loss_grad='GradientL1Loss')
PAPER_GAMMA = (1.0, 0.01, 0.01)
PAPER_LAMBDA = dict(gan=0.05, l1=0.01, perceptual=0.01)


def test_every_config_is_checked():
    assert len(CONFIGS) >= 30
    assert any('demo' in path for path in CONFIGS)


@pytest.mark.parametrize(
    'path', CONFIGS, ids=[osp.relpath(p, CONFIG_ROOT) for p in CONFIGS])
def test_config_uses_the_loss_convention(path):
    model = load_config(path).model
    head = model.head
    gamma3 = 0.0 if '-nograd' in osp.basename(path) else PAPER_GAMMA[2]
    assert (head.gamma_heatmap, head.gamma_sr,
            head.gamma_grad) == PAPER_GAMMA[:2] + (gamma3, ), path
    for key, loss_type in LOSS_TYPES.items():
        loss = head.get(key, dict(type=loss_type))
        # no second knob: the weight of a term is its gamma
        assert dict(loss) == dict(type=loss_type), (path, key, loss)
    fptn = model.get('fptn')
    if fptn is not None:
        assert dict(fptn.get('loss_weights', PAPER_LAMBDA)) == PAPER_LAMBDA
        gan = fptn.get('gan_loss', {})
        assert set(gan) <= {'type', 'gan_type'}, (path, gan)
