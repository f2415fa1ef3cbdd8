"""Kill-and-resume is exact in every phase, not only mid phase 3.

The tiny recipe runs 3 DHLN, 3 FPTN, 4 SHT and 4 weakly-supervised
iterations. A run killed with SIGKILL in phase 1, 2 or 4 (phase 3:
``test_resume.py``) and resumed with ``--resume`` logs the uninterrupted
run's losses at every iteration and ends with its weights.
"""
import os.path as osp
import signal

import pytest
from helpers.engine_testing import (MAX_ITERS, assert_same_losses,
                                    assert_same_tensors, console,
                                    load_checkpoint_file, read_scalars,
                                    start_training)

RUN_TIMEOUT = 300
# (phase the killed run dies in, iteration before which it dies)
KILL_POINTS = [('dhln', 2), ('fptn', 5), ('sht_weak', 12)]


def _finish(proc, work_dir: str) -> int:
    try:
        return proc.wait(timeout=RUN_TIMEOUT)
    except Exception:
        proc.kill()
        raise AssertionError(console(work_dir)[-3000:])


@pytest.fixture(scope='module', params=KILL_POINTS, ids=lambda p: p[0])
def killed_and_resumed(request, resume_runs, tiny_data, tmp_path_factory):
    phase, kill_at = request.param
    work_dir = str(tmp_path_factory.mktemp(f'killed_in_{phase}'))
    # checkpoints from the first iteration on (the config starts at the 7th)
    killed = start_training(
        work_dir, tiny_data,
        cfg_options=[f'custom_hooks.1.kill_at={kill_at}',
                     'default_hooks.checkpoint.save_begin=1'])
    assert _finish(killed, work_dir) == -signal.SIGKILL, \
        console(work_dir)[-3000:]
    with open(osp.join(work_dir, 'last_checkpoint')) as f:
        assert f.read().strip().endswith(f'iter_{kill_at}.pth')
    resumed = start_training(work_dir, tiny_data, '--resume')
    assert _finish(resumed, work_dir) == 0, console(work_dir)[-3000:]
    return dict(phase=phase, kill_at=kill_at, work_dir=work_dir,
                reference=resume_runs['reference'])


def test_resumed_run_continues_in_the_phase_it_died_in(killed_and_resumed):
    run = killed_and_resumed
    log = console(run['work_dir'])
    marker = f'resumed epoch: 0, iter: {run["kill_at"]}'
    assert marker in log
    resumed_log = log.split(marker)[1]
    assert f'SHT phase "{run["phase"]}" (training mode' in resumed_log
    assert f'continuing at iter {run["kill_at"]}' in resumed_log


def test_losses_and_weights_equal_the_uninterrupted_run(killed_and_resumed):
    run = killed_and_resumed
    reference = read_scalars(run['reference'])
    resumed = read_scalars(run['work_dir'])
    assert sorted(resumed) == list(range(1, MAX_ITERS + 1))
    assert_same_losses(reference, resumed, range(1, MAX_ITERS + 1))
    name = f'iter_{MAX_ITERS}.pth'
    assert_same_tensors(
        load_checkpoint_file(osp.join(run['reference'], name))['state_dict'],
        load_checkpoint_file(osp.join(run['work_dir'], name))['state_dict'],
        'state_dict')
