"""Two-process CPU (gloo) training with ``tools/dist_train.sh``: the SHT
phase and the weakly-supervised phase (its own dataloader) with
``MMSeparateDistributedDataParallel``, ending cleanly with the same weights
on both ranks."""
import json
import os.path as osp
import socket
import subprocess
import sys

import pytest
from engine_testing import REPO_ROOT, TINY_CONFIG, train_env


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(('127.0.0.1', 0))
        return sock.getsockname()[1]


@pytest.mark.skipif(sys.platform == 'win32', reason='bash launcher')
def test_dist_train_two_cpu_processes(tiny_data, tmp_path):
    work_dir = str(tmp_path / 'ddp')
    env = train_env(tiny_data)
    env.update(PYTHON=sys.executable, PORT=str(_free_port()))
    cmd = [
        'bash', osp.join(REPO_ROOT, 'tools', 'dist_train.sh'), TINY_CONFIG,
        '2', '--work-dir', work_dir, '--cfg-options',
        'custom_hooks.0.start_phase=sht', 'custom_hooks.0.phases.2.iters=2',
        'train_cfg.max_iters=4'
    ]
    proc = subprocess.run(
        cmd, cwd=REPO_ROOT, env=env, stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT, timeout=300)
    out = proc.stdout.decode(errors='replace')
    assert proc.returncode == 0, out[-4000:]
    assert 'world_size 2' in out
    assert 'Distributed training: True' in out
    assert 'SHT phase "sht" (training mode \'sht\') begins at iter 0' in out
    assert 'SHT phase "sht_weak" (training mode \'sht\') begins at iter 2' \
        in out
    assert 'Iter(train) [4/4]' in out and 'loss_disc' in out
    assert osp.isfile(osp.join(work_dir, 'iter_4.pth'))
    # gradients were averaged across the ranks (each saw other data), so
    # both ranks end with the same weights
    digests = []
    for rank in (0, 1):
        with open(osp.join(work_dir, f'param_digest_rank{rank}.json')) as f:
            digests.append(json.load(f))
    assert set(digests[0]) >= {'backbone', 'fptn'}
    assert digests[1] == digests[0]
