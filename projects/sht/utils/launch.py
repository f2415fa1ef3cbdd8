"""Launch helpers used by ``tools/train.py`` and ``tools/test.py``.

:func:`parse_launch_args` adds the options both scripts end with and parses
the command line; :func:`runner_from_args` builds their runner from it.
:func:`build_runner` builds the config's ``runner_type`` or, by default,
:class:`~sht.engine.SHTRunner` (checked checkpoint loading and resuming).

mmengine 0.10.7 assumes CUDA in two places of a distributed run: its
``init_dist('pytorch')`` calls ``torch.cuda.set_device`` and
``Runner.wrap_model`` passes ``device_ids=[LOCAL_RANK]`` to every wrapper that
subclasses ``DistributedDataParallel``. On a CPU-only host (tests, laptops)
both fail. :func:`prepare_cpu_distributed` handles both before the Runner is
built; with CUDA present nothing is changed, so GPU clusters keep mmengine's
ordinary NCCL path.
"""
import argparse
import os
from typing import Callable

import torch
import torch.distributed as torch_dist
from mmengine.config import Config, DictAction
from mmengine.logging import print_log
from mmengine.runner import Runner
from mmpose.registry import RUNNERS

from ..engine.runner import SHTRunner


def parse_launch_args(parser: argparse.ArgumentParser,
                      cfg_options_help: str) -> argparse.Namespace:
    """Add the options ``tools/train.py`` and ``tools/test.py`` end with
    (``--cfg-options``, described by ``cfg_options_help``, ``--launcher``
    and ``--local_rank``), parse the command line and set ``LOCAL_RANK``
    from ``--local_rank`` where the launcher has not set it."""
    parser.add_argument(
        '--cfg-options', nargs='+', action=DictAction, help=cfg_options_help)
    parser.add_argument(
        '--launcher',
        choices=['none', 'pytorch', 'slurm', 'mpi'],
        default='none',
        help='job launcher')
    parser.add_argument('--local_rank', '--local-rank', type=int, default=0)
    args = parser.parse_args()
    os.environ.setdefault('LOCAL_RANK', str(args.local_rank))
    return args


def build_runner(cfg: Config) -> Runner:
    """The runner of a config: its ``runner_type`` when it names one (from
    mmpose's registry), else :class:`~sht.engine.SHTRunner`."""
    if cfg.get('runner_type', None):
        return RUNNERS.build(cfg)
    return SHTRunner.from_cfg(cfg)


def prepare_cpu_distributed(cfg: Config, launcher: str) -> bool:
    """Set up a gloo process group for a CPU-only distributed launch.

    Args:
        cfg: The config; its ``model_wrapper_cfg`` gets ``device_ids=None``
            (what ``DistributedDataParallel`` needs on the CPU).
        launcher: The ``--launcher`` value (``'none'``, ``'pytorch'``,
            ``'slurm'`` or ``'mpi'``).

    Returns:
        True when a CPU process group was created here, False when nothing
        needed doing (no launcher, CUDA present, or a group already exists).
    """
    if launcher == 'none' or torch.cuda.is_available():
        return False
    if launcher == 'slurm':
        # srun exports SLURM_* only; map them to torch's env:// variables.
        os.environ.setdefault('RANK', os.environ['SLURM_PROCID'])
        os.environ.setdefault('WORLD_SIZE', os.environ['SLURM_NTASKS'])
        os.environ.setdefault('LOCAL_RANK', os.environ['SLURM_LOCALID'])
        os.environ.setdefault('MASTER_PORT', '29500')
        os.environ.setdefault('MASTER_ADDR', '127.0.0.1')
    if not torch_dist.is_initialized():
        torch_dist.init_process_group(backend='gloo')
    print_log(
        f'CPU distributed run (gloo): rank {torch_dist.get_rank()}, '
        f'world_size {torch_dist.get_world_size()}',
        logger='current')
    wrapper = dict(cfg.get('model_wrapper_cfg', None) or
                   dict(type='MMDistributedDataParallel'))
    wrapper['device_ids'] = None
    cfg.model_wrapper_cfg = wrapper
    env_cfg = cfg.get('env_cfg', {}) or {}
    env_cfg.setdefault('dist_cfg', {})['backend'] = 'gloo'
    cfg.env_cfg = env_cfg
    return True


def runner_from_args(
    args: argparse.Namespace,
    merge_args: Callable[[Config, argparse.Namespace], Config]) -> Runner:
    """The runner of ``args.config`` with the command line applied by the
    script's ``merge_args`` (a CPU-only distributed run prepared first, see
    :func:`prepare_cpu_distributed`)."""
    cfg = merge_args(Config.fromfile(args.config), args)
    prepare_cpu_distributed(cfg, args.launcher)
    return build_runner(cfg)
