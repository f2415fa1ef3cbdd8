"""Helpers of the engine tests: training subprocesses, a SIGKILL hook, and
readers of a run's outputs. Importable by training subprocesses as
``helpers.engine_testing`` (the tests put ``tests/`` on PYTHONPATH; the tiny
configs in ``helpers/configs`` import it)."""
import json
import os
import os.path as osp
import signal
import socket
import subprocess
import sys
from typing import Dict, List, Optional, Sequence

import torch

from mmengine.hooks import Hook
from mmpose.registry import HOOKS

from helpers import REPO_ROOT, load_tool

TINY_CONFIG = osp.join(osp.dirname(osp.abspath(__file__)), 'configs',
                       'sht_tiny_phases.py')
# the same with a test set and metric, for tools/test.py
TINY_TEST_CONFIG = osp.join(osp.dirname(osp.abspath(__file__)), 'configs',
                            'sht_tiny_test.py')
# Phases of the tiny config: dhln 0-2, fptn 3-5, sht 6-9, sht_weak 10-13.
MAX_ITERS = 14
# The killed attempt dies before iteration 8 runs (mid phase 3), right
# after writing the checkpoint of 8 finished iterations.
KILL_AT = 8


@HOOKS.register_module()
class KillAtIterationHook(Hook):
    """SIGKILL the process before iteration ``kill_at`` (0-based) runs, i.e.
    right after the checkpoint of iteration ``kill_at`` was written. Nothing
    is flushed or cleaned up, as when a node dies. In a distributed run the
    ranks meet first, so rank 0 has finished writing that checkpoint."""

    priority = 'LOWEST'

    def __init__(self, kill_at: Optional[int] = None) -> None:
        self.kill_at = kill_at

    def before_train_iter(self, runner, batch_idx: int,
                          data_batch=None) -> None:
        if self.kill_at is not None and runner.iter == self.kill_at:
            from mmengine.dist import barrier
            barrier()
            os.kill(os.getpid(), signal.SIGKILL)


@HOOKS.register_module()
class ParamDigestHook(Hook):
    """After training, write this rank's parameter sums per top-level module
    to ``work_dir/param_digest_rank<rank>.json`` (distributed runs must end
    with the same weights on every rank), and the model's weights (see
    :func:`model_weights`) to ``work_dir/<stage>_weights_rank<rank>.pth``:
    ``last_iter`` after the last iteration (after the CheckpointHook: what
    the last checkpoint holds; SyncBuffersHook later averages BatchNorm
    statistics across ranks), ``train`` at the end of training, ``test``
    at the end of testing."""

    priority = 'LOWEST'

    def after_train_iter(self, runner, batch_idx: int, data_batch=None,
                         outputs=None) -> None:
        if runner.iter + 1 == runner.max_iters:
            self._save(runner, 'last_iter')

    def after_train(self, runner) -> None:
        from mmengine.dist import get_rank
        digest: Dict[str, float] = {}
        for name, param in model_weights(runner.model, buffers=False).items():
            top = name.split('.')[0]
            digest[top] = digest.get(top, 0.0) + float(
                param.double().abs().sum())
        path = osp.join(runner.work_dir, f'param_digest_rank{get_rank()}.json')
        with open(path, 'w') as f:
            json.dump(digest, f)
        self._save(runner, 'train')

    def after_test(self, runner) -> None:
        self._save(runner, 'test')

    @staticmethod
    def _save(runner, stage: str) -> None:
        from mmengine.dist import get_rank
        torch.save(model_weights(runner.model),
                   osp.join(runner.work_dir,
                            f'{stage}_weights_rank{get_rank()}.pth'))


def model_weights(model: torch.nn.Module,
                  buffers: bool = True) -> Dict[str, torch.Tensor]:
    """Every parameter (and buffer) of a possibly wrapped model, by its
    wrapper-free name (``backbone.x``, never ``backbone.module.x``), read
    from the modules themselves rather than from ``state_dict()``."""
    from mmengine.model import is_model_wrapper
    while is_model_wrapper(model):
        model = model.module
    weights: Dict[str, torch.Tensor] = {}
    for top, child in model.named_children():
        while is_model_wrapper(child):
            child = child.module
        named = list(child.named_parameters(prefix=top))
        if buffers:
            named += list(child.named_buffers(prefix=top))
        for name, value in named:
            weights[name] = value.detach().cpu().clone()
    return weights


def publish_tool():
    """``tools/misc/publish_model.py`` as a module."""
    return load_tool('tools/misc/publish_model.py')


def train_env(data_root: str, threads: int = 1) -> Dict[str, str]:
    """Environment of a training subprocess: the tiny data, ``helpers``
    importable, few threads (the same count on every compared run)."""
    env = dict(os.environ)
    paths = [osp.dirname(osp.dirname(osp.abspath(__file__))),
             osp.join(REPO_ROOT, 'projects')]
    if env.get('PYTHONPATH'):
        paths.append(env['PYTHONPATH'])
    env.update(
        SHT_TINY_DATA=data_root,
        PYTHONPATH=os.pathsep.join(paths),
        OMP_NUM_THREADS=str(threads),
        MKL_NUM_THREADS=str(threads),
        MPLBACKEND='Agg')
    return env


def free_port() -> int:
    """A free TCP port of this host (for torchrun's rendezvous)."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(('127.0.0.1', 0))
        return sock.getsockname()[1]


def dist_train_command(work_dir: str, *extra: str, nproc: int = 2,
                       cfg_options: Sequence[str] = ()) -> List[str]:
    """``bash tools/dist_train.sh`` on the tiny config (``nproc``
    processes; CPU: gloo)."""
    cmd = ['bash', osp.join(REPO_ROOT, 'tools', 'dist_train.sh'),
           TINY_CONFIG, str(nproc), '--work-dir', work_dir, *extra]
    if cfg_options:
        cmd += ['--cfg-options', *cfg_options]
    return cmd


def train_command(work_dir: str, *extra: str,
                  cfg_options: Sequence[str] = ()) -> List[str]:
    """``python tools/train.py`` on the tiny config."""
    cmd = [sys.executable, osp.join(REPO_ROOT, 'tools', 'train.py'),
           TINY_CONFIG, '--work-dir', work_dir, *extra]
    if cfg_options:
        cmd += ['--cfg-options', *cfg_options]
    return cmd


def start_training(work_dir: str, data_root: str, *extra: str,
                   cfg_options: Sequence[str] = (),
                   nproc: int = 0) -> subprocess.Popen:
    """Start ``tools/train.py`` (``nproc=0``) or ``tools/dist_train.sh``
    with ``nproc`` processes in a subprocess (output in
    ``work_dir/console.txt``)."""
    os.makedirs(work_dir, exist_ok=True)
    log = open(osp.join(work_dir, 'console.txt'), 'ab')
    env = train_env(data_root)
    if nproc:
        cmd = dist_train_command(
            work_dir, *extra, nproc=nproc, cfg_options=cfg_options)
        env.update(PYTHON=sys.executable, PORT=str(free_port()))
    else:
        cmd = train_command(work_dir, *extra, cfg_options=cfg_options)
    return subprocess.Popen(
        cmd, cwd=REPO_ROOT, env=env, stdout=log, stderr=subprocess.STDOUT)


def console(work_dir: str) -> str:
    """What the training subprocesses printed."""
    with open(osp.join(work_dir, 'console.txt'), errors='replace') as f:
        return f.read()


def read_scalars(work_dir: str) -> Dict[int, Dict[str, float]]:
    """Per-iteration scalars of every run in ``work_dir`` (from each run's
    ``vis_data/scalars.json``), keyed by the 1-based iteration; a later run
    (e.g. the resumed one) overrides an earlier one's iterations."""
    runs = sorted(
        d for d in os.listdir(work_dir)
        if osp.isfile(osp.join(work_dir, d, 'vis_data', 'scalars.json')))
    scalars: Dict[int, Dict[str, float]] = {}
    for run in runs:
        with open(osp.join(work_dir, run, 'vis_data', 'scalars.json')) as f:
            for line in f:
                record = json.loads(line)
                scalars[int(record['step'])] = record
    return scalars


def loss_terms(record: Dict[str, float]) -> Dict[str, float]:
    """The loss entries of a scalars record."""
    return {k: v for k, v in record.items() if k.startswith('loss')}


def load_checkpoint_file(path: str) -> dict:
    """A checkpoint as torch saved it (every entry, on the CPU)."""
    return torch.load(path, map_location='cpu', weights_only=False)


def assert_same_losses(reference: Dict[int, Dict[str, float]],
                       actual: Dict[int, Dict[str, float]],
                       steps: Sequence[int]) -> None:
    """At every step of ``steps`` the runs (:func:`read_scalars`) logged
    the same loss terms, with values equal up to float32 rounding."""
    for step in steps:
        expected, got = loss_terms(reference[step]), loss_terms(actual[step])
        assert set(got) == set(expected), (step, sorted(got),
                                           sorted(expected))
        for name, value in expected.items():
            assert abs(got[name] - value) <= 1e-6 * max(1.0, abs(value)), (
                f'iteration {step}: {name} {got[name]!r} != {value!r}')


def assert_same_tensors(expected, actual, where: str) -> None:
    """Nested dicts / lists of tensors (a state dict, an optimizer state)
    hold the same keys and exactly equal values."""
    if isinstance(expected, torch.Tensor):
        assert torch.equal(expected, actual), where
    elif isinstance(expected, dict):
        assert set(expected) == set(actual), where
        for key in expected:
            assert_same_tensors(expected[key], actual[key], f'{where}.{key}')
    elif isinstance(expected, (list, tuple)):
        assert len(expected) == len(actual), where
        for i, (e, a) in enumerate(zip(expected, actual)):
            assert_same_tensors(e, a, f'{where}[{i}]')
    else:
        assert expected == actual, where
