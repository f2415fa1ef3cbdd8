"""tools/analysis/get_flops.py prints the paper's parameter counts."""
import os
import os.path as osp
import re
import subprocess
import sys

import pytest
from helpers import REPO_ROOT as REPO

TOOL = osp.join(REPO, 'tools', 'analysis', 'get_flops.py')


def run_tool(cwd, *args):
    proc = subprocess.run([sys.executable, TOOL, *args],
                          cwd=str(cwd),
                          capture_output=True,
                          text=True,
                          timeout=300,
                          env=dict(os.environ, OMP_NUM_THREADS='1'))
    assert proc.returncode == 0, proc.stderr[-3000:]
    out = proc.stdout
    params = float(re.search(r'Parameters: ([\d.]+) M \((\d+) total',
                             out).group(2))
    macs = float(re.search(r'MACs: ([\d.]+) G', out).group(1))
    return out, params, macs


@pytest.mark.parametrize(
    'config,args,paper',
    [
        # smaller crops keep the test fast; they do not change parameters
        # SHN (Table 2 baseline, 256 -> 64 setting)
        ('configs/_base_/models/dhln_256.py', [
            '--shape', '128', '--cfg-options',
            'model.backbone.with_sr_stream=False', 'model.lr_size=32'
        ], 16.41e6),
        # DHLN (CelebA setting)
        ('configs/_base_/models/dhln_128.py', [
            '--shape', '64', '--cfg-options', 'model.lr_size=8',
            'model.lr_upsample_to=32'
        ], 22.72e6),
    ])
def test_tool_prints_paper_parameter_counts(tmp_path, config, args, paper):
    # run from an unrelated directory: the tool must not depend on the cwd
    out, params, macs = run_tool(tmp_path, osp.join(REPO, config), *args)
    assert abs(params - paper) / paper < 0.01, out
    assert macs > 1.0, out
    # the per-module table adds up to the total
    rows = re.findall(r'^  backbone\.\w+\s+([\d.]+)\s+([\d.]+)$', out,
                      re.MULTILINE)
    assert rows
    assert sum(float(p) for p, _ in rows) == pytest.approx(
        params / 1e6, abs=0.01)
    assert sum(float(m) for _, m in rows) == pytest.approx(macs, rel=0.01)


def test_tool_names_a_config_without_a_model(tmp_path):
    fragment = osp.join(REPO, 'configs', '_base_', 'models', 'fptn.py')
    proc = subprocess.run([sys.executable, TOOL, fragment], cwd=str(tmp_path),
                          capture_output=True, text=True, timeout=300)
    assert proc.returncode != 0
    assert 'fptn.py: no "model" dict' in proc.stderr
    assert 'Traceback' not in proc.stderr
