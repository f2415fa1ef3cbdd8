"""Resume with the learning rates of the config instead of the checkpoint's.

``--resume`` restores a checkpoint's optimizer state, learning rates
included, so a run that diverged because of its learning rate would diverge
again with a corrected config. With the top-level config option
``resume_lr_from_config=True`` the resumed run keeps the checkpoint's
weights and optimizer moments (Adam's running averages, step counts) but
takes every parameter group's learning rate from the config::

    python tools/train.py CONFIG --work-dir WORK_DIR --resume CHECKPOINT \\
        --cfg-options resume_lr_from_config=True \\
        optim_wrapper.discriminator.optimizer.lr=1e-4

:class:`ResumeLRFromConfigHook` applies it; ``SHTTrainLoop`` (the train
loop of every SHT training config) registers one, and prints this command,
with the last good checkpoint, when it stops a diverged run. A parameter
scheduler keeps its position: the config's rate replaces the checkpoint's
base rate and the scheduled factor stays.
"""
import os.path as osp
import shlex
import sys
from typing import Dict, List, Optional

from mmengine.config import Config
from mmengine.hooks import Hook
from mmengine.logging import print_log
from mmengine.optim import BaseOptimWrapper, OptimWrapperDict
from mmpose.registry import HOOKS

#: top-level config option
RESUME_LR_KEY = 'resume_lr_from_config'


def _wrappers(optim_wrapper) -> Dict[str, object]:
    """name -> OptimWrapper (``''`` for a single one)."""
    if isinstance(optim_wrapper, OptimWrapperDict):
        return dict(optim_wrapper.items())
    return {'': optim_wrapper}


def config_lrs(optim_wrapper) -> Dict[str, List[float]]:
    """The base learning rate of every parameter group, per optimizer, as
    built from the config (before any resume); ``{}`` when the optimizers
    are not built (a test or validation run)."""
    if not isinstance(optim_wrapper, BaseOptimWrapper):
        return {}
    return {
        name: [float(g.get('initial_lr', g['lr'])) for g in w.param_groups]
        for name, w in _wrappers(optim_wrapper).items()
    }


def apply_config_lrs(runner, lrs: Dict[str, List[float]]) -> List[str]:
    """Put the config's learning rates ``lrs`` into the resumed optimizers
    (and the base values of the lr schedulers); return what changed."""
    changes = []
    for name, wrapper in _wrappers(runner.optim_wrapper).items():
        groups = wrapper.param_groups
        if len(groups) != len(lrs.get(name, ())):
            raise ValueError(
                f'{RESUME_LR_KEY}: optimizer "{name}" has {len(groups)} '
                f'parameter groups after resuming but '
                f'{len(lrs.get(name, ()))} in the config')
        for index, (group, lr) in enumerate(zip(groups, lrs[name])):
            old = float(group['lr'])
            factor = old / group['initial_lr'] \
                if group.get('initial_lr') else 1.0
            if 'initial_lr' in group:
                group['initial_lr'] = lr
            group['lr'] = lr * factor
            changes.append(f'{name or "optimizer"} group {index}: lr '
                           f'{old:g} -> {group["lr"]:g}')
    schedulers = runner.param_schedulers
    if isinstance(schedulers, dict):
        per_optimizer = schedulers
    else:
        per_optimizer = {'': schedulers or []}
    for name, items in per_optimizer.items():
        for scheduler in items or []:
            if getattr(scheduler, 'param_name', None) == 'lr' \
                    and name in lrs:
                scheduler.base_values = list(lrs[name])
    return changes


def lr_options(cfg: Config) -> List[str]:
    """``key=value`` options that set the learning rate of every optimizer
    of ``cfg`` (``optim_wrapper.optimizer.lr`` or
    ``optim_wrapper.<name>.optimizer.lr``), with the config's values."""
    wrapper = cfg.get('optim_wrapper') or {}
    if 'optimizer' in wrapper:
        return [f'optim_wrapper.optimizer.lr={wrapper["optimizer"]["lr"]}']
    return [
        f'optim_wrapper.{name}.optimizer.lr={sub["optimizer"]["lr"]}'
        for name, sub in wrapper.items()
        if isinstance(sub, dict) and 'optimizer' in sub
    ]


def resume_command(runner, checkpoint: str) -> str:
    """The command that resumes ``runner``'s run from ``checkpoint`` with
    the learning rates given on the command line."""
    train = sys.argv[0] if osp.basename(sys.argv[0]) == 'train.py' \
        else osp.join('tools', 'train.py')
    cfg: Config = runner.cfg
    config: Optional[str] = getattr(cfg, 'filename', None)
    if config:
        # the run's full config (command-line options included), as the
        # runner saved it in the work dir
        dumped = osp.join(runner.work_dir, osp.basename(config))
        config = dumped if osp.isfile(dumped) else config
    parts = [
        'python', train, config or 'CONFIG', '--work-dir', runner.work_dir,
        '--resume', checkpoint, '--cfg-options', f'{RESUME_LR_KEY}=True'
    ] + lr_options(cfg)
    return ' '.join(shlex.quote(str(p)) for p in parts)


@HOOKS.register_module()
class ResumeLRFromConfigHook(Hook):
    """With ``resume_lr_from_config=True`` in the config, put the config's
    learning rates into the optimizers of a resumed run.

    ``Runner.train`` builds the optimizers from the config, calls
    ``before_run``, then resumes (the checkpoint's learning rates replace
    the config's), then starts the train loop (``before_train``). So the
    config's rates are read in ``before_run`` and applied in
    ``before_train``; nothing happens without the option or without a
    resume. ``SHTTrainLoop`` registers this hook itself.
    """

    priority = 'VERY_HIGH'

    def __init__(self) -> None:
        self.config_lrs: Dict[str, List[float]] = {}

    def before_run(self, runner) -> None:
        """Remember the config's learning rates (before any resume)."""
        self.config_lrs = config_lrs(runner.optim_wrapper)

    def before_train(self, runner) -> None:
        """Apply them to a resumed run when the config asks for it."""
        if not (runner.cfg.get(RESUME_LR_KEY) and runner.cfg.get('resume')
                and self.config_lrs):
            return
        changes = apply_config_lrs(runner, self.config_lrs)
        print_log(
            f'{RESUME_LR_KEY}: learning rates from the config, weights and '
            'optimizer moments from the checkpoint: ' + '; '.join(changes),
            logger='current')
