"""What to say when SHT training diverges: a checkpoint that is good.

A loss often turns NaN some iterations after the weights went wrong (a
learning rate far too high blows the discriminator's weights up to 1e12
long before the loss overflows). So the checkpoint a stop message names is
the newest one in the work dir whose weights, generator and discriminator
side, are finite and bounded (``max_abs_weight``) and whose optimizer state
is finite; the message also gives the command that resumes from it with
other learning rates (see :mod:`sht.engine.hooks.resume_lr`).
:class:`~sht.engine.loops.SHTTrainLoop` raises with :func:`stop_message`.
"""
import glob
import os.path as osp
import re
from typing import Any, List, Optional, Tuple

import torch

from .hooks.resume_lr import resume_command

CHECKPOINT_NAME = re.compile(r'^(iter|epoch)_(\d+)\.pth$')

#: Largest weight magnitude of a good checkpoint (default).
MAX_ABS_WEIGHT = 1e6


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


def checkpoint_problem(path: str,
                       max_abs_weight: float = MAX_ABS_WEIGHT
                       ) -> Optional[str]:
    """Why the checkpoint ``path`` is not a good one to resume from.

    Args:
        path (str): A checkpoint file.
        max_abs_weight (float): Largest weight magnitude allowed.

    Returns:
        str | None: The first problem found, or ``None``: every weight
        (generator and discriminator side) finite and within
        ``max_abs_weight``, every optimizer state value finite.
    """
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
    optimizer = ckpt.get('optimizer', {}) if isinstance(ckpt, dict) else {}
    for name, value in _tensors(optimizer, 'optimizer'):
        if not torch.isfinite(value.detach().float()).all():
            return f'optimizer state {name} holds NaN or inf'
    return None


def checkpoint_candidates(last: Optional[str]) -> List[str]:
    """``last`` and the older ``iter_N.pth`` / ``epoch_N.pth`` beside it,
    newest first (``[]`` without ``last``)."""
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


def good_checkpoint(last: Optional[str],
                    max_abs_weight: float = MAX_ABS_WEIGHT
                    ) -> Tuple[Optional[str], List[str]]:
    """The newest good checkpoint from ``last`` back, and why the newer ones
    are not good.

    Args:
        last (str, optional): The run's newest checkpoint (the message hub's
            ``last_ckpt``).
        max_abs_weight (float): See :func:`checkpoint_problem`.

    Returns:
        tuple: (path or ``None``, ``['<path>: <problem>', ...]``).
    """
    rejected = []
    for path in checkpoint_candidates(last):
        problem = checkpoint_problem(path, max_abs_weight)
        if problem is None:
            return path, rejected
        rejected.append(f'{path}: {problem}')
    return None, rejected


def stop_message(runner, phase: str, cause: str,
                 max_abs_weight: float = MAX_ABS_WEIGHT) -> str:
    """The message that stops a diverged run.

    Args:
        runner (Runner): The run (``iter``, ``epoch``, ``work_dir``,
            ``cfg``, the message hub's ``last_ckpt``).
        phase (str): The running phase (or training mode).
        cause (str): The non-finite loss term(s), e.g.
            ``'non-finite loss: loss_pt_gan = nan'``.
        max_abs_weight (float): See :func:`checkpoint_problem`.

    Returns:
        str: Phase, iteration (1-based), cause, the last good checkpoint
        and, when there is one, the command that resumes from it with
        ``resume_lr_from_config=True``.
    """
    good, rejected = good_checkpoint(
        runner.message_hub.get_info('last_ckpt'), max_abs_weight)
    if good:
        kept = f'the last good checkpoint is {good}'
    elif rejected:
        kept = 'no checkpoint of this run has finite, bounded weights'
    else:
        kept = 'no checkpoint was written before it'
    message = (f'training stopped in phase "{phase}" at iteration '
               f'{runner.iter + 1} (epoch {runner.epoch + 1}): {cause}; '
               f'{kept} (nothing was saved for this iteration)')
    if rejected:
        message += '; not good: ' + '; '.join(rejected)
    if good:
        message += (
            '. To resume from it with other learning rates (its weights '
            'and optimizer moments, the learning rates of the config), '
            'change the lr values in: ' + resume_command(runner, good))
    return message
