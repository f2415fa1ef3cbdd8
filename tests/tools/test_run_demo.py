"""Smoke test of the demo driver (tools/misc/run_demo.py): a few iterations
of each run (phases 1-2, SHT and its control, SHN, FHS) on a handful of
synthetic faces, then the tables and every picture."""
import glob
import json
import math
import os.path as osp

import pytest

from helpers import REPO_ROOT as REPO
from helpers import load_tool
from sht.synthetic import write_300vw, write_300w



def load_driver():
    return load_tool('tools/misc/run_demo.py')


@pytest.fixture(scope='module')
def demo_data(tmp_path_factory):
    root = tmp_path_factory.mktemp('synthetic')
    write_300w(root / '300w', num_per_subset=3, seed=0, image_size=96)
    write_300vw(root / '300vw', num_videos=2, frames_per_video=4, seed=0,
                image_size=96)
    return str(root)


def test_run_demo_smoke(demo_data, tmp_path, monkeypatch):
    monkeypatch.setenv('SHT_DEMO_DATA', demo_data)
    driver = load_driver()
    work_dir = str(tmp_path / 'demo')
    argv = ['--work-dir', work_dir, '--phase-iters', '2', '1', '1', '1',
            '--num-show', '2', '--threads', '1']
    assert driver.main(argv) == 0
    checkpoints = [
        'pretrain/iter_2.pth', 'pretrain/iter_3.pth', 'shn/iter_2.pth',
        'fhs/iter_2.pth', 'sht_seed0/iter_1.pth', 'sht_seed0/iter_2.pth',
        'control_seed0/iter_1.pth', 'control_seed0/iter_2.pth'
    ]
    for name in checkpoints:
        assert osp.isfile(osp.join(work_dir, name)), name
    for name in ('faces', 'heatmaps', 'fptn_transfers', 'ced', 'losses'):
        assert osp.getsize(osp.join(work_dir, f'{name}.png')) > 1000
    with open(osp.join(work_dir, 'results.json')) as f:
        results = json.load(f)
    rows = {row['name']: row for row in results['rows']}
    assert len(rows) == 9
    assert math.isnan(rows['mean shape']['PSNR'])
    assert math.isnan(rows['bicubic']['NME_io'])
    assert 0 < rows['mean shape']['NME_io'] < 100
    fhs = [r for n, r in rows.items() if n.startswith('FHS')][0]
    shn = [r for n, r in rows.items() if n.startswith('SHN')][0]
    assert math.isnan(fhs['NME_io']) and not math.isnan(fhs['PSNR'])
    assert math.isnan(shn['PSNR']) and not math.isnan(shn['NME_io'])
    transfer = results['transfer']
    assert transfer['num_transfers'] > 0
    assert set(transfer) >= {'l1_fptn', 'l1_identity', 'psnr_fptn',
                             'psnr_identity'}
    assert [p['phase'] for p in results['paired']] == ['sht', 'sht_weak']
    assert all(p['ci_low'] <= p['mean_diff'] <= p['ci_high']
               for p in results['paired'])
    table = open(osp.join(work_dir, 'results.md')).read()
    for text in ('| mean shape |', 'DHLN continued', 'identity (the',
                 'SHT - control'):
        assert text in table
    # the final SHT checkpoint as a user loads it (docs/demo.md): the
    # four-phase config through mmpose's init_model + inference_topdown
    from mmpose.apis import inference_topdown, init_model
    model = init_model(osp.join(REPO, 'configs', 'sht', 'demo',
                                'sht_synthetic.py'),
                       osp.join(work_dir, 'sht_seed0', 'iter_2.pth'),
                       device='cpu')
    assert getattr(model, 'fptn', None) is None
    image = osp.join(demo_data, '300w', 'ibug')
    photo = sorted(glob.glob(osp.join(image, '*.png')) +
                   glob.glob(osp.join(image, '*.jpg')))[0]
    sample = inference_topdown(model, photo)[0]
    assert sample.pred_instances.keypoints.shape == (1, 68, 2)
    # a second run finds every checkpoint and only evaluates
    mtimes = {n: osp.getmtime(osp.join(work_dir, n)) for n in checkpoints}
    assert driver.main(argv) == 0
    for name, mtime in mtimes.items():
        assert osp.getmtime(osp.join(work_dir, name)) == mtime
