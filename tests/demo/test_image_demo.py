"""demo/image_demo.py: one synthetic face photo, a checkpoint of the demo
model (random weights), a picture with three panels."""
import importlib.util
import os.path as osp

import cv2
import numpy as np
import pytest
import torch
from mmengine.config import Config
from mmengine.registry import init_default_scope
from mmpose.registry import MODELS

import sht  # noqa: F401
from sht.synthetic import SyntheticFaceGenerator

REPO = osp.dirname(osp.dirname(osp.dirname(osp.abspath(__file__))))
CONFIG = osp.join(REPO, 'configs', 'sht', 'demo', 'sht_synthetic.py')


def load_script():
    spec = importlib.util.spec_from_file_location(
        'image_demo', osp.join(REPO, 'demo', 'image_demo.py'))
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.fixture(scope='module')
def checkpoint(tmp_path_factory):
    """A training checkpoint of the demo model (FPTN included)."""
    init_default_scope('mmpose')
    torch.manual_seed(0)
    model = MODELS.build(Config.fromfile(CONFIG).model)
    path = str(tmp_path_factory.mktemp('ckpt') / 'demo.pth')
    torch.save(dict(state_dict=model.state_dict(), meta=dict()), path)
    return path


@pytest.fixture(scope='module')
def photo(tmp_path_factory):
    image, landmarks, _ = SyntheticFaceGenerator(7, image_size=120).sample()
    path = str(tmp_path_factory.mktemp('img') / 'face.jpg')
    cv2.imwrite(path, image)
    return path, landmarks


@pytest.mark.parametrize('with_box', [False, True])
def test_image_demo(checkpoint, photo, tmp_path, with_box):
    path, landmarks = photo
    out = str(tmp_path / 'out.png')
    argv = [path, CONFIG, checkpoint, '--out', out]
    if with_box:
        lo, hi = landmarks.min(0), landmarks.max(0)
        argv += ['--bbox'] + [f'{v:.1f}' for v in (*lo, *hi)]
    assert load_script().main(argv) == out
    picture = cv2.imread(out)
    # three panels of 256 px (photo, LR input, hallucinated face) + titles
    assert picture.shape[0] == 256 + 24
    assert picture.shape[1] > 3 * 256
    # the middle panel shows the LR face (32x32) with its pixels as blocks:
    # at most 32 distinct rows, where a smooth resize would give ~256
    low = picture[24:, picture.shape[1] // 2 - 60:picture.shape[1] // 2 + 60]
    assert len(np.unique(low.reshape(low.shape[0], -1), axis=0)) <= 32


def test_image_demo_bad_box(checkpoint, photo, tmp_path):
    path, _ = photo
    with pytest.raises(SystemExit, match='X2 > X1'):
        load_script().main([
            path, CONFIG, checkpoint, '--out',
            str(tmp_path / 'x.png'), '--bbox', '50', '50', '10', '80'
        ])


def test_image_demo_missing_image(checkpoint, tmp_path):
    with pytest.raises(SystemExit, match='not found'):
        load_script().main([
            str(tmp_path / 'nope.jpg'), CONFIG, checkpoint, '--out',
            str(tmp_path / 'x.png')
        ])
