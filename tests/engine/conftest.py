"""Session fixtures of the engine tests: tiny synthetic face data and the
training runs shared by the resume, publishing and DDP tests."""
import os.path as osp
import shutil
import signal
import subprocess
from typing import Dict

import pytest
from helpers.engine_testing import KILL_AT, console, start_training
from helpers.fixture_sets import write_tiny_face_data

RUN_TIMEOUT = 300


@pytest.fixture(scope='session')
def tiny_data(tmp_path_factory) -> str:
    """Labeled (300W layout) and unlabeled (CelebA layout) tiny faces."""
    return write_tiny_face_data(str(tmp_path_factory.mktemp('tiny_faces')))


def _wait(proc: subprocess.Popen, work_dir: str) -> int:
    try:
        return proc.wait(timeout=RUN_TIMEOUT)
    except subprocess.TimeoutExpired:
        proc.kill()
        raise AssertionError(f'training did not finish in {RUN_TIMEOUT} s:\n'
                             + console(work_dir)[-3000:])


def _kill_and_resume(root: str, data: str,
                     nproc: int = 0) -> Dict[str, object]:
    """(a) an uninterrupted run of all four phases and (b) a run killed
    with SIGKILL mid phase 3 (both at once), then (b) resumed with
    ``--resume``; ``nproc`` processes each (0: ``tools/train.py``, else
    ``tools/dist_train.sh``)."""
    reference, interrupted = osp.join(root, 'reference'), osp.join(
        root, 'killed')
    ref_proc = start_training(reference, data, nproc=nproc)
    kill_proc = start_training(
        interrupted, data, nproc=nproc,
        cfg_options=[f'custom_hooks.1.kill_at={KILL_AT}'])
    killed_rc = _wait(kill_proc, interrupted)
    with open(osp.join(interrupted, 'last_checkpoint')) as f:
        last_before_resume = f.read().strip()
    # keep it: the resumed run's CheckpointHook removes old checkpoints
    resumed_from = osp.join(root, 'resumed_from.pth')
    shutil.copyfile(last_before_resume, resumed_from)
    resume_proc = start_training(interrupted, data, '--resume', nproc=nproc)
    resumed_rc = _wait(resume_proc, interrupted)
    ref_rc = _wait(ref_proc, reference)
    assert ref_rc == 0, console(reference)[-3000:]
    assert resumed_rc == 0, console(interrupted)[-3000:]
    return dict(
        reference=reference,
        interrupted=interrupted,
        killed_returncode=killed_rc,
        last_before_resume=last_before_resume,
        resumed_from=resumed_from)


@pytest.fixture(scope='session')
def resume_runs(tiny_data, tmp_path_factory) -> Dict[str, object]:
    """Kill and resume through ``tools/train.py`` (one process)."""
    runs = _kill_and_resume(str(tmp_path_factory.mktemp('resume')), tiny_data)
    assert runs['killed_returncode'] == -signal.SIGKILL, console(
        runs['interrupted'])[-3000:]
    return runs


@pytest.fixture(scope='session')
def ddp_runs(tiny_data, tmp_path_factory) -> Dict[str, object]:
    """Kill and resume with 2 processes (gloo) through
    ``tools/dist_train.sh``: both ranks are killed at once (torchrun then
    exits with an error), and the resumed run has 2 processes too."""
    runs = _kill_and_resume(str(tmp_path_factory.mktemp('ddp')), tiny_data,
                            nproc=2)
    assert runs['killed_returncode'] != 0, console(
        runs['interrupted'])[-3000:]
    return runs
