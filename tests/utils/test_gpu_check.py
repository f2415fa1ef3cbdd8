"""tools/analysis/gpu_check.sh (sht.utils.gpu_check) on the CPU: argument
handling, the dry run's plan, and the JSON of a run on tiny configs."""
import json
import subprocess

import pytest
import torch
from helpers.deploy_testing import REPO, write_tiny_config

from sht.utils import gpu_check

SCRIPT = REPO / 'tools' / 'analysis' / 'gpu_check.sh'


def _script(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run(['bash', str(SCRIPT), *args], cwd=str(REPO),
                          capture_output=True, text=True, timeout=300)


def test_dry_run_writes_the_plan(tmp_path):
    out = tmp_path / 'plan.json'
    proc = _script('--dry-run', '--out', str(out))
    assert proc.returncode == 0, proc.stderr
    assert '8 inference and 4 training measurements' in proc.stdout
    res = json.loads(out.read_text())
    assert res['dry_run'] and 'inference' not in res and 'train' not in res
    inf = {(r['model'], r['batch'], r['precision'])
           for r in res['plan']['inference']}
    assert inf == {(m, b, p) for m in ('SHN', 'DHLN-M') for b in (1, 16)
                   for p in ('fp32', 'amp')}
    train = {(r['pairs'], r['precision'], r['with_cp'])
             for r in res['plan']['train']}
    assert train == {(8, p, cp) for p in ('fp32', 'amp')
                     for cp in (False, True)}
    assert res['plan']['configs']['dhln'].endswith('DHLN-M_300W.py')


@pytest.mark.skipif(torch.cuda.is_available(), reason='a GPU is present')
def test_refuses_to_run_without_cuda(tmp_path):
    proc = _script('--out', str(tmp_path / 'x.json'))
    assert proc.returncode == 2
    assert 'no CUDA device' in proc.stderr
    assert not (tmp_path / 'x.json').exists()


@pytest.mark.parametrize('bad', [['--pairs', '0'], ['--batch-sizes', '0'],
                                 ['--skip', 'everything'], ['--repeats',
                                                            'x']])
def test_bad_arguments(bad, capsys):
    with pytest.raises(SystemExit) as exc:
        gpu_check.parse_args(['--dry-run', *bad])
    assert exc.value.code == 2


def _tiny(tmp_path):
    return ['--shn', write_tiny_config(tmp_path, '300w/SHN_300W.py'),
            '--dhln', write_tiny_config(tmp_path, '300w/DHLN-M_300W.py'),
            '--sht', write_tiny_config(tmp_path, '300w/SHT-M_300W.py')]


def test_cpu_run_on_tiny_configs(tmp_path, capsys):
    out = tmp_path / 'check.json'
    res = gpu_check.main(['--device', 'cpu', '--out', str(out),
                          '--batch-sizes', '1', '2', '--pairs', '1',
                          '--repeats', '1', '--train-repeats', '0',
                          *_tiny(tmp_path)])
    saved = json.loads(out.read_text())
    assert saved['wall_s'] == pytest.approx(res['wall_s'])
    for batch in ('1', '2'):
        rows = saved['inference'][batch]
        for key in ('SHN/fp32', 'SHN/amp', 'DHLN-M/fp32', 'DHLN-M/amp'):
            assert rows[key]['fps'] > 0
        ratio = rows['DHLN-M/SHN fp32']
        assert ratio['ratio'] == pytest.approx(
            rows['DHLN-M/fp32']['fps'] / rows['SHN/fp32']['fps'])
        assert ratio['paper'] == pytest.approx(80 / 120)
    train = saved['train']
    for cp in (False, True):
        row = train[f'fp32/cp={cp}']
        assert row['step_s'] > 0 and row['peak_mib'] > 0 and row['pairs'] == 1
        assert train[f'amp/cp={cp}'] == dict(skipped='AMP training needs CUDA')
    assert train['fp32 with_cp / without'] == pytest.approx(
        train['fp32/cp=True']['step_s'] / train['fp32/cp=False']['step_s'])
    text = capsys.readouterr().out
    assert 'DHLN-M/SHN fp32' in text and 'AMP training needs CUDA' in text


def test_time_budget_skips_what_is_left(tmp_path):
    res = gpu_check.main(['--device', 'cpu', '--out',
                          str(tmp_path / 'b.json'), '--skip', 'inference',
                          '--budget-s', '0', *_tiny(tmp_path)])
    assert 'inference' not in res
    assert set(res['train']) == {'fp32/cp=False', 'fp32/cp=True',
                                 'amp/cp=False', 'amp/cp=True'}
    assert all(r == dict(skipped='time budget spent')
               for r in res['train'].values())
