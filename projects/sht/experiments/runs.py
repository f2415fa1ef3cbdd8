"""One training run of a phase config: load it with new phase lengths, a
seed and a starting checkpoint, train it unless its checkpoints exist."""
import math
import os
import os.path as osp
import time
from functools import reduce
from typing import Dict, List, Optional, Tuple

from mmengine.config import Config

from ..engine.loops import planned_iters, run_phase_specs
from ..utils.launch import build_runner

PHASES = ('dhln', 'fptn', 'sht', 'sht_weak')


def phase_iters_arg(values: Optional[List[int]]) -> Optional[Dict[str, int]]:
    """``--phase-iters DHLN FPTN SHT SHT_WEAK`` as a dict by phase name."""
    if not values:
        return None
    if len(values) != len(PHASES) or min(values) < 1:
        raise ValueError(f'--phase-iters needs {len(PHASES)} positive '
                         f'iteration counts {PHASES}, got {values}')
    return dict(zip(PHASES, values))


def phase_loop(cfg: Config) -> dict:
    """The ``train_cfg`` of ``cfg``, an ``SHTTrainLoop`` with phases."""
    train_cfg = cfg.get('train_cfg') or {}
    if train_cfg.get('type') != 'SHTTrainLoop':
        raise ValueError(f'{cfg.filename}: train_cfg is not an SHTTrainLoop')
    return train_cfg


def _run_phases(cfg: Config) -> List[dict]:
    """The phases from the loop's ``start_phase`` to its ``end_phase``."""
    return run_phase_specs(phase_loop(cfg))


def phase_ends(cfg: Config) -> List[Tuple[str, int]]:
    """(phase, iteration of this run at its end) up to ``max_iters``."""
    ends, total = [], 0
    max_iters = planned_iters(phase_loop(cfg))
    for phase in _run_phases(cfg):
        total += int(phase['iters'])
        if total > max_iters:
            break
        ends.append((phase['name'], total))
    return ends


def load_run_config(path: str,
                    work_dir: str,
                    phase_iters: Optional[Dict[str, int]] = None,
                    stop_after: Optional[str] = None,
                    load_from: Optional[str] = None,
                    seed: Optional[int] = None) -> Config:
    """A demo config ready to train.

    Args:
        path (str): Config file.
        work_dir (str): Its work dir.
        phase_iters (dict, optional): New lengths by phase name; the
            generator's learning-rate drop (``MultiStepLR``) moves to the
            end of phase 2 with them.
        stop_after (str, optional): Last phase to train (e.g. ``'fptn'``
            trains phases 1-2 of the four-phase config).
        load_from (str, optional): Checkpoint whose weights start the run.
        seed (int, optional): ``randomness.seed``.

    Returns:
        Config: Its ``train_cfg`` with the phases up to ``stop_after``
        (``max_iters`` follows from them) and a checkpoint at the end of
        each of them.
    """
    cfg = Config.fromfile(path)
    cfg.work_dir = osp.abspath(work_dir)
    loop = phase_loop(cfg)
    for phase in loop['phases']:
        if phase_iters and phase['name'] in phase_iters:
            phase['iters'] = int(phase_iters[phase['name']])
    run = _run_phases(cfg)
    if stop_after is not None:
        names = [p['name'] for p in run]
        if stop_after not in names:
            raise ValueError(f'{path}: stop_after={stop_after!r} is not '
                             f'among the phases {names}')
        run = run[:names.index(stop_after) + 1]
        loop['phases'] = loop['phases'][:len(loop['phases']) - len(names) +
                                        len(run)]
    lengths = [int(p['iters']) for p in run]
    loop.pop('max_iters', None)  # the trained phases' length
    cfg.default_hooks.checkpoint.interval = reduce(math.gcd, lengths)
    logger = cfg.default_hooks.logger
    logger.interval = min(logger.get('interval', 50), min(lengths))
    scheds = cfg.get('param_scheduler')
    if phase_iters and isinstance(scheds, dict):
        for sched in scheds.get('generator', []):
            if sched.get('type') == 'MultiStepLR':
                sched['milestones'] = [
                    int(phase_iters.get('dhln', 0) +
                        phase_iters.get('fptn', 0))
                ]
    if load_from is not None:
        cfg.load_from = load_from
    if seed is not None:
        cfg.randomness = dict(cfg.get('randomness', {}), seed=int(seed))
    return cfg


def checkpoint_path(cfg: Config, iteration: int) -> str:
    """``iter_N.pth`` in the run's work dir."""
    return osp.join(cfg.work_dir, f'iter_{iteration}.pth')


def train_run(cfg: Config, force: bool = False) -> float:
    """Train ``cfg`` unless every phase-end checkpoint exists; seconds."""
    missing = [end for _, end in phase_ends(cfg)
               if not osp.isfile(checkpoint_path(cfg, end))]
    if not (missing or force):
        return 0.0
    start = time.time()
    # mmengine reuses a visualizer of the same name (the runner's timestamp,
    # to the second) and with it another run's log folder: name our own
    cfg.visualizer = dict(cfg.get('visualizer', {}),
                          name=f'sht_run_{os.getpid()}_{time.time_ns()}')
    build_runner(cfg).train()
    return time.time() - start
