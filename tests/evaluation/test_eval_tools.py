"""tools/test.py and tools/analysis/resolution_sweep.py end to end on a tiny
randomly initialised DHLN and a fixture dataset with 300W-style subsets."""
import json
import pickle
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from helpers import REPO_ROOT, load_tool
from helpers.tiny_setup import write_tiny_setup

REPO = Path(REPO_ROOT)
SUBSETS = ('all', 'common', 'challenging', 'full')


@pytest.fixture(scope='module')
def tiny(tmp_path_factory):
    return write_tiny_setup(tmp_path_factory.mktemp('tiny'))


@pytest.fixture(scope='module')
def test_run(tiny, tmp_path_factory):
    """Run tools/test.py once, from an unrelated working directory."""
    out = tmp_path_factory.mktemp('test_run')
    proc = subprocess.run([
        sys.executable,
        str(REPO / 'tools' / 'test.py'),
        str(tiny['config']),
        str(tiny['checkpoint']), '--work-dir',
        str(out / 'work'), '--out',
        str(out / 'metrics.json'), '--dump',
        str(out / 'preds.pkl')
    ],
                          cwd=str(out),
                          capture_output=True,
                          text=True,
                          timeout=300)
    assert proc.returncode == 0, proc.stdout[-3000:] + proc.stderr[-3000:]
    return out, proc.stdout


def parse_table(stdout):
    """{metric: {subset: value}} from the printed table."""
    lines = [ln for ln in stdout.splitlines() if ln.startswith('| ')]
    header = [c.strip() for c in lines[0].split('|')[1:-1]]
    assert header[0] == 'metric'
    table = {}
    for ln in lines[1:]:
        cells = [c.strip() for c in ln.split('|')[1:-1]]
        table[cells[0]] = {
            s: float(v)
            for s, v in zip(header[1:], cells[1:]) if v != '-'
        }
    return table


def recompute_from_dump(dump):
    """Per-image NME (fractions) of io / ip / box / wid, and subset tags,
    directly from the dumped predictions and ground truth."""
    nme = {m: [] for m in ('io', 'ip', 'box', 'wid')}
    tags = []
    for sample in dump:
        gt = sample['gt_instances']['keypoints'][0].astype(np.float64)
        pred = sample['pred_instances']['keypoints'][0].astype(np.float64)
        x1, y1, x2, y2 = sample['gt_instances']['bboxes'][0]
        err = np.sqrt(((pred - gt)**2).sum(-1)).mean()
        nme['io'].append(err / np.sqrt(((gt[36] - gt[45])**2).sum()))
        centres = gt[36:42].mean(0) - gt[42:48].mean(0)
        nme['ip'].append(err / np.sqrt((centres**2).sum()))
        nme['box'].append(err / np.sqrt((x2 - x1) * (y2 - y1)))
        nme['wid'].append(err / (gt[:, 0].max() - gt[:, 0].min()))
        tags.append(sample['subsets'])
    return {m: np.array(v) for m, v in nme.items()}, tags


def test_test_tool_table_json_and_ced_match_a_recomputation(test_run):
    out, stdout = test_run
    table = parse_table(stdout)
    with open(out / 'metrics.json') as f:
        metrics = json.load(f)
    with open(out / 'preds.pkl', 'rb') as f:
        dump = pickle.load(f)
    assert len(dump) == 6
    nme, tags = recompute_from_dump(dump)
    fr_seen = set()
    for mode, errors in nme.items():
        for subset in SUBSETS:
            member = np.array(
                [subset == 'all' or subset in t for t in tags])
            e = errors[member]
            suffix = '' if subset == 'all' else f'/{subset}'
            expected = {
                f'NME_{mode}': 100 * e.mean(),
                f'FR_{mode}@0.85': 100 * np.mean(e > 0.85),
                f'AUC_{mode}@0.85':
                100 * np.mean(np.clip(0.85 - e, 0, None)) / 0.85,
            }
            for key, value in expected.items():
                tol = 100 * 1e-4 / 0.85 if key.startswith('AUC') else 1e-4
                assert metrics[key + suffix] == pytest.approx(
                    value, rel=1e-5, abs=tol), key + suffix
                assert table[key][subset] == pytest.approx(
                    value, abs=tol + 5e-5), key + suffix
            fr_seen.add(expected[f'FR_{mode}@0.85'])
    assert member.sum() == 6 and len(fr_seen) > 1  # not all trivial
    for key in ('PSNR', 'SSIM'):
        for subset in SUBSETS:
            suffix = '' if subset == 'all' else f'/{subset}'
            assert table[key][subset] == pytest.approx(
                metrics[key + suffix], abs=5e-5)
    assert 5 < metrics['PSNR'] < 60 and 0 < metrics['SSIM'] < 1
    for mode in nme:
        png = out / 'work' / 'ced' / f'ced_{mode}.png'
        assert png.read_bytes()[:4] == b'\x89PNG'


def load_sweep_tool():
    return load_tool('tools/analysis/resolution_sweep.py')


def test_resolution_sweep(tiny, test_run, tmp_path):
    sweep = load_sweep_tool()
    out_dir = tmp_path / 'sweep'
    results = sweep.run_sweep(
        str(tiny['config']),
        str(tiny['checkpoint']),
        sizes=[4, 8, 16, 32, 64],
        out_dir=str(out_dir),
        device='cpu')
    # 64 is larger than the 32x32 HR crop of the tiny setting
    assert sorted(results) == [4, 8, 16, 32]
    with open(out_dir / 'resolution_sweep.json') as f:
        saved = json.load(f)
    assert saved['hr_size'] == 32 and saved['network_input_size'] == 16
    assert sorted(saved['results'], key=int) == ['4', '8', '16', '32']
    assert (out_dir / 'resolution_sweep.png').read_bytes()[:4] == b'\x89PNG'
    # size 8 is the config's own degradation (8 px, bicubic up to 16): the
    # sweep must reproduce tools/test.py there, and differ elsewhere
    with open(test_run[0] / 'metrics.json') as f:
        reference = json.load(f)
    for key in ('NME_io', 'NME_io/challenging', 'PSNR', 'SSIM/common'):
        assert saved['results']['8'][key] == pytest.approx(
            reference[key], rel=1e-6)
    psnr = [results[s]['PSNR'] for s in (4, 8, 16, 32)]
    assert len(set(np.round(psnr, 6))) == 4


def load_test_tool():
    return load_tool('tools/test.py')


@pytest.mark.parametrize('evaluator', [
    [dict(type='FaceLandmarkMetric')],
    dict(type='Evaluator', metrics=[dict(type='FaceLandmarkMetric')])])
def test_test_tool_merge_args(tmp_path, evaluator):
    """A training config (resume=True, train_cfg) is evaluated as a plain
    inference model from the given checkpoint; --dump adds DumpResults."""
    from argparse import Namespace

    from mmengine.config import Config
    tool = load_test_tool()
    cfg = Config(dict(resume=True, load_from='old.pth',
                      model=dict(type='SHTEstimator', train_cfg=dict()),
                      test_evaluator=evaluator))
    args = Namespace(launcher='none', checkpoint='new.pth', work_dir=None,
                     dump=str(tmp_path / 'preds.pkl'), cfg_options=None,
                     ced_dir='none', config='configs/x/my_model.py')
    cfg = tool.merge_args(cfg, args)
    assert cfg.resume is False and cfg.load_from == 'new.pth'
    assert cfg.model.train_cfg is None
    assert cfg.work_dir.endswith('my_model')
    metrics = (cfg.test_evaluator['metrics'] if 'metrics' in
               cfg.test_evaluator else cfg.test_evaluator)
    assert [m['type'] for m in metrics] == ['FaceLandmarkMetric',
                                            'DumpResults']
