"""Smoke test of the demo driver (tools/misc/run_demo.py): a few iterations
of each of the four phases on a handful of synthetic faces, then the table,
the baselines and every picture."""
import importlib.util
import json
import math
import os.path as osp

import numpy as np
import pytest
from mmengine.config import Config

from sht.synthetic import write_300vw, write_300w

REPO = osp.dirname(osp.dirname(osp.dirname(osp.abspath(__file__))))
CONFIG = osp.join(REPO, 'configs', 'sht', 'demo', 'sht_synthetic.py')


def load_driver():
    spec = importlib.util.spec_from_file_location(
        'run_demo', osp.join(REPO, 'tools', 'misc', 'run_demo.py'))
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.fixture(scope='module')
def demo_data(tmp_path_factory):
    root = tmp_path_factory.mktemp('synthetic')
    write_300w(root / '300w', num_per_subset=3, seed=0, image_size=96)
    write_300vw(root / '300vw', num_videos=2, frames_per_video=4, seed=0,
                image_size=96)
    return str(root)


def test_config_phases_end_on_checkpoints(monkeypatch, tmp_path):
    monkeypatch.setenv('SHT_DEMO_DATA', str(tmp_path))
    driver = load_driver()
    cfg = Config.fromfile(CONFIG)
    ends = driver.phase_ends(cfg)
    assert [name for name, _ in ends] == ['dhln', 'fptn', 'sht', 'sht_weak']
    assert ends[-1][1] == cfg.train_cfg.max_iters
    assert cfg.test_dataloader.dataset.data_root == str(tmp_path) + '/300w'
    driver.set_phase_iters(cfg, [6, 3, 3, 3])
    assert driver.phase_ends(cfg) == [('dhln', 6), ('fptn', 9), ('sht', 12),
                                      ('sht_weak', 15)]
    assert cfg.default_hooks.checkpoint.interval == 3
    cfg.default_hooks.checkpoint.interval = 4
    with pytest.raises(ValueError, match='checkpoint interval'):
        driver.phase_ends(cfg)


def test_mean_shape_baseline_by_hand():
    driver = load_driver()

    class Faces:
        infos = [
            dict(bbox=np.array([[0., 0., 80., 80.]]), labeled=True,
                 keypoints=np.array([[[10., 20.], [50., 60.]]])),
            dict(bbox=np.array([[100., 100., 140., 140.]]), labeled=True,
                 keypoints=np.array([[[110., 115.], [130., 135.]]])),
            dict(bbox=np.array([[0., 0., 9., 9.]]), labeled=False,
                 keypoints=np.zeros((1, 2, 2))),
        ]

        def __len__(self):
            return len(self.infos)

        def get_data_info(self, i):
            return self.infos[i]

    shape = driver.mean_shape(Faces())
    # crop = box padded by 1.25 around its centre: side 100 (centre 40, 40)
    # and side 50 (centre 120, 120); u = (p - c) / side + 0.5
    first = np.array([[-30 / 100, -20 / 100], [10 / 100, 20 / 100]]) + 0.5
    second = np.array([[-10 / 50, -5 / 50], [10 / 50, 15 / 50]]) + 0.5
    np.testing.assert_allclose(shape, (first + second) / 2, atol=1e-6)


def test_run_demo_smoke(demo_data, tmp_path, monkeypatch):
    monkeypatch.setenv('SHT_DEMO_DATA', demo_data)
    driver = load_driver()
    work_dir = str(tmp_path / 'demo')
    status = driver.main([
        '--work-dir', work_dir, '--phase-iters', '2', '1', '1', '1',
        '--num-show', '2', '--threads', '1'
    ])
    assert status == 0
    for end in (2, 3, 4, 5):
        assert osp.isfile(osp.join(work_dir, f'iter_{end}.pth'))
    for name in ('faces', 'heatmaps', 'fptn_transfers', 'ced', 'losses'):
        assert osp.getsize(osp.join(work_dir, f'{name}.png')) > 1000
    with open(osp.join(work_dir, 'results.json')) as f:
        results = json.load(f)
    rows = {row['name']: row for row in results['rows']}
    assert len(rows) == 6
    # the mean shape has landmarks only, bicubic a face only
    assert math.isnan(rows['mean shape']['PSNR'])
    assert math.isnan(rows['bicubic']['NME_io'])
    assert 0 < rows['mean shape']['NME_io'] < 100
    assert 10 < rows['bicubic']['PSNR'] < 60
    # the FPTN phase trains FPTN only: DHLN's figures do not move
    dhln = rows['DHLN (phase 1)']
    fptn = rows['FPTN pretrained (phase 2, DHLN frozen)']
    for key in ('NME_io', 'PSNR', 'SSIM'):
        assert dhln[key] == pytest.approx(fptn[key])
    assert len(results['checks']) == 2
    table = open(osp.join(work_dir, 'results.md')).read()
    assert '| mean shape |' in table and '| bicubic |' in table
    # a second run finds every checkpoint and only evaluates
    mtimes = {e: osp.getmtime(osp.join(work_dir, f'iter_{e}.pth'))
              for e in (2, 3, 4, 5)}
    assert driver.main([
        '--work-dir', work_dir, '--phase-iters', '2', '1', '1', '1',
        '--num-show', '2', '--threads', '1'
    ]) == 0
    for end, mtime in mtimes.items():
        assert osp.getmtime(osp.join(work_dir, f'iter_{end}.pth')) == mtime


def test_acceptance_judges_the_final_model():
    driver = load_driver()
    rows = [dict(name='mean shape', NME_io=16.0, PSNR=math.nan),
            dict(name='bicubic', NME_io=math.nan, PSNR=35.0),
            dict(name='DHLN (phase 1)', NME_io=6.0, PSNR=39.0),
            dict(name='SHT + unlabeled video (phase 4)', NME_io=9.0,
                 PSNR=39.0)]
    ok, lines = driver.acceptance(rows)
    assert not ok  # 9 / 16 > 0.5, although phase 1 would pass
    assert 'phase 4' in lines[0] and 'FAIL' in lines[0]
    assert 'PASS' in lines[1]
    rows[-1] = dict(rows[-1], NME_io=7.9)
    ok, lines = driver.acceptance(rows)
    assert ok and '0.49 x' in lines[0]
    rows[-1] = dict(rows[-1], PSNR=34.9)
    assert not driver.acceptance(rows)[0]
