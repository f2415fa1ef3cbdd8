"""Stop SHT training on a NaN or inf loss, keeping the last good checkpoint.

The estimator checks every loss term before its backward pass
(``SHTEstimator.check_finite`` raises ``FloatingPointError``).
:class:`SHTNaNGuardHook` puts the run's context on that error (the training
phase, the iteration, the last checkpoint) and also checks the log variables
a train step returns, for models or paths that do not check their losses
themselves. Both checks happen inside the train step, before any
``after_train_iter`` hook runs, so ``CheckpointHook`` never saves the broken
state and the newest checkpoint in the work dir is the last good one.
"""
import math
from typing import Any, Callable, Dict, Optional

import torch
from mmengine.hooks import Hook
from mmpose.registry import HOOKS

from .phase_hook import PHASE_INFO_KEY, unwrap_model


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
    """Stop training on a non-finite loss with a message naming the phase
    and the loss term.

    The model's ``train_step`` is wrapped when training starts (once, also
    when the hook is applied twice); a ``FloatingPointError`` from it, or a
    NaN/inf loss term in what it returns, stops the run with a
    ``FloatingPointError`` that names the training phase (from
    :class:`SHTPhaseHook`, else the model's ``train_mode``), the iteration,
    the loss term and the last checkpoint written. Nothing is saved for the
    failing iteration.
    """

    priority = 'VERY_HIGH'

    @staticmethod
    def phase_name(runner) -> str:
        """The running phase (or, without a phase hook, training mode)."""
        phase: Optional[str] = runner.message_hub.get_info(PHASE_INFO_KEY)
        if phase is not None:
            return phase
        mode = getattr(unwrap_model(runner.model), 'train_mode', None)
        return mode if mode is not None else 'train'

    def describe(self, runner, cause: str) -> str:
        """The stop message: phase, iteration, cause, last checkpoint."""
        last = runner.message_hub.get_info('last_ckpt')
        kept = (f'the last good checkpoint is {last}' if last else
                'no checkpoint was written before it')
        return (f'training stopped in phase "{self.phase_name(runner)}" at '
                f'iteration {runner.iter + 1} (epoch {runner.epoch + 1}): '
                f'{cause}; {kept} (nothing was saved for this iteration)')

    def before_train(self, runner) -> None:
        """Wrap the model's ``train_step`` with the check (idempotent)."""
        model = runner.model
        if isinstance(model.__dict__.get('train_step'), _GuardedTrainStep):
            return
        model.train_step = _GuardedTrainStep(model.train_step, self, runner)
