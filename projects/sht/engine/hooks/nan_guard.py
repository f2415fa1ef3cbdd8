"""Stop SHT training on a NaN or inf loss, naming a checkpoint that is good.

The estimator checks every loss term before its backward pass
(``SHTEstimator.check_finite`` raises ``FloatingPointError``).
:class:`SHTNaNGuardHook` puts the run's context on that error (the training
phase, the iteration, the last good checkpoint) and also checks the log
variables a train step returns, for models or paths that do not check their
losses themselves. Both checks happen inside the train step, before any
``after_train_iter`` hook runs, so ``CheckpointHook`` never saves the broken
state.

A loss often turns NaN some iterations after the weights went wrong (a
learning rate far too high blows the discriminator's weights up to 1e12
long before the loss overflows). So the checkpoint the message names is the
newest one in the work dir whose weights, generator and discriminator side,
are finite and bounded (``max_abs_weight``) and whose optimizer state is
finite; the message also gives the command that resumes from it with other
learning rates (see :mod:`.resume_lr`).
"""
import glob
import math
import os.path as osp
import re
from typing import Any, Callable, Dict, List, Optional, Tuple

import torch
from mmengine.hooks import Hook
from mmengine.logging import print_log
from mmpose.registry import HOOKS

from .phase_hook import PHASE_INFO_KEY, unwrap_model
from .resume_lr import (RESUME_LR_KEY, apply_config_lrs, config_lrs,
                        resume_command)

CHECKPOINT_NAME = re.compile(r'^(iter|epoch)_(\d+)\.pth$')


def non_finite_terms(log_vars: Dict[str, Any]) -> Dict[str, Any]:
    """The loss terms of ``log_vars`` that hold a NaN or inf.

    Args:
        log_vars (dict): Log variables of a train step (name -> Tensor or
            number); entries whose name contains ``'loss'`` are checked.

    Returns:
        dict: name -> value (as a Python number or list) of each bad term.
    """
    bad = {}
    for name, value in log_vars.items():
        if 'loss' not in name:
            continue
        if isinstance(value, torch.Tensor):
            if not torch.isfinite(value.detach()).all():
                bad[name] = value.detach().cpu().tolist()
        elif isinstance(value, (int, float)) and not math.isfinite(value):
            bad[name] = value
    return bad


def _tensors(tree: Any, prefix: str = '') -> List[Tuple[str, torch.Tensor]]:
    """(name, tensor) of every floating-point tensor in nested dicts and
    lists."""
    if isinstance(tree, torch.Tensor):
        return [(prefix, tree)] if tree.is_floating_point() else []
    if isinstance(tree, dict):
        items = tree.items()
    elif isinstance(tree, (list, tuple)):
        items = enumerate(tree)
    else:
        return []
    out = []
    for key, value in items:
        out += _tensors(value, f'{prefix}.{key}' if prefix else str(key))
    return out


def checkpoint_problem(path: str, max_abs_weight: float) -> Optional[str]:
    """Why the checkpoint ``path`` is not a good one to resume from, or
    ``None``: every weight (generator and discriminator side) finite and
    within ``max_abs_weight``, every optimizer state value finite."""
    try:
        ckpt = torch.load(path, map_location='cpu', weights_only=False)
    except Exception as err:  # torch raises several types for bad files
        return f'cannot be loaded ({err})'
    weights = ckpt.get('state_dict', ckpt) if isinstance(ckpt, dict) else {}
    for name, value in _tensors(weights):
        side = 'discriminator' if 'discriminator' in name else 'generator'
        value = value.detach().float()
        if not torch.isfinite(value).all():
            return f'{side} weight {name} holds NaN or inf'
        peak = float(value.abs().max()) if value.numel() else 0.0
        if peak > max_abs_weight:
            return (f'{side} weight {name} reaches |w| = {peak:.3g} (bound '
                    f'{max_abs_weight:g})')
    for name, value in _tensors(ckpt.get('optimizer', {}), 'optimizer'):
        if not torch.isfinite(value.detach().float()).all():
            return f'optimizer state {name} holds NaN or inf'
    return None


def checkpoint_candidates(last: Optional[str]) -> List[str]:
    """``last`` and the older ``iter_N.pth`` / ``epoch_N.pth`` beside it,
    newest first."""
    if not last:
        return []
    match = CHECKPOINT_NAME.match(osp.basename(last))
    older = []
    if match:
        for path in glob.glob(osp.join(osp.dirname(last), '*.pth')):
            other = CHECKPOINT_NAME.match(osp.basename(path))
            if other and other.group(1) == match.group(1) \
                    and int(other.group(2)) < int(match.group(2)):
                older.append((int(other.group(2)), path))
    return [last] + [p for _, p in sorted(older, reverse=True)]


class _GuardedTrainStep:
    """``train_step`` of a model, checked by :class:`SHTNaNGuardHook`."""

    def __init__(self, train_step: Callable, hook: 'SHTNaNGuardHook',
                 runner) -> None:
        self.train_step = train_step
        self.hook = hook
        self.runner = runner

    def __call__(self, *args, **kwargs) -> Dict[str, Any]:
        try:
            log_vars = self.train_step(*args, **kwargs)
        except FloatingPointError as error:
            raise self._stop(str(error)) from error
        bad = non_finite_terms(log_vars)
        if bad:
            terms = ', '.join(f'{name} = {value}'
                              for name, value in bad.items())
            raise self._stop(f'non-finite loss: {terms}')
        return log_vars

    def _stop(self, cause: str) -> FloatingPointError:
        message = self.hook.describe(self.runner, cause)
        self.runner.logger.error(message)
        return FloatingPointError(message)


@HOOKS.register_module()
class SHTNaNGuardHook(Hook):
    """Stop training on a non-finite loss with a message naming the phase,
    the loss term and a good checkpoint to resume from.

    The model's ``train_step`` is wrapped when training starts (once, also
    when the hook is applied twice); a ``FloatingPointError`` from it, or a
    NaN/inf loss term in what it returns, stops the run with a
    ``FloatingPointError`` that names the training phase (from
    :class:`SHTPhaseHook`, else the model's ``train_mode``), the iteration,
    the loss term, the newest checkpoint whose weights are finite and
    bounded, and the command that resumes from it with other learning
    rates. Nothing is saved for the failing iteration.

    With the top-level config option ``resume_lr_from_config=True`` a
    resumed run takes its learning rates from the config (see
    :mod:`.resume_lr`).

    Args:
        max_abs_weight (float): Largest weight magnitude of a good
            checkpoint. Default 1e6.
    """

    priority = 'VERY_HIGH'

    def __init__(self, max_abs_weight: float = 1e6) -> None:
        self.max_abs_weight = float(max_abs_weight)
        self._config_lrs: Dict[str, List[float]] = {}

    @staticmethod
    def phase_name(runner) -> str:
        """The running phase (or, without a phase hook, training mode)."""
        phase: Optional[str] = runner.message_hub.get_info(PHASE_INFO_KEY)
        if phase is not None:
            return phase
        mode = getattr(unwrap_model(runner.model), 'train_mode', None)
        return mode if mode is not None else 'train'

    def good_checkpoint(self, runner) -> Tuple[Optional[str], List[str]]:
        """The newest good checkpoint of the run (or ``None``) and why the
        newer ones are not good."""
        rejected = []
        last = runner.message_hub.get_info('last_ckpt')
        for path in checkpoint_candidates(last):
            problem = checkpoint_problem(path, self.max_abs_weight)
            if problem is None:
                return path, rejected
            rejected.append(f'{path}: {problem}')
        return None, rejected

    def describe(self, runner, cause: str) -> str:
        """The stop message: phase, iteration, cause, a good checkpoint and
        how to resume from it."""
        good, rejected = self.good_checkpoint(runner)
        if good:
            kept = f'the last good checkpoint is {good}'
        elif rejected:
            kept = 'no checkpoint of this run has finite, bounded weights'
        else:
            kept = 'no checkpoint was written before it'
        message = (f'training stopped in phase "{self.phase_name(runner)}" '
                   f'at iteration {runner.iter + 1} (epoch '
                   f'{runner.epoch + 1}): {cause}; {kept} (nothing was saved '
                   'for this iteration)')
        if rejected:
            message += '; not good: ' + '; '.join(rejected)
        if good:
            message += (
                '. To resume from it with other learning rates (its weights '
                'and optimizer moments, the learning rates of the config), '
                'change the lr values in: ' + resume_command(runner, good))
        return message

    def before_run(self, runner) -> None:
        """Remember the config's learning rates (before any resume)."""
        self._config_lrs = config_lrs(runner.optim_wrapper)

    def before_train(self, runner) -> None:
        """Wrap the model's ``train_step`` with the check (idempotent) and,
        with ``resume_lr_from_config``, put the config's learning rates into
        the resumed optimizers."""
        if runner.cfg.get(RESUME_LR_KEY) and runner.cfg.get('resume') \
                and self._config_lrs:
            changes = apply_config_lrs(runner, self._config_lrs)
            print_log(
                f'{RESUME_LR_KEY}: learning rates from the config, weights '
                'and optimizer moments from the checkpoint: ' +
                '; '.join(changes), logger='current')
        model = runner.model
        if isinstance(model.__dict__.get('train_step'), _GuardedTrainStep):
            return
        model.train_step = _GuardedTrainStep(model.train_step, self, runner)
