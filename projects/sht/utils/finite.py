"""Finite-loss checks shared by the estimators and the training loop."""
import math
from typing import Any, Dict, Mapping

import torch


def non_finite_terms(log_vars: Mapping[str, Any]) -> Dict[str, Any]:
    """The loss terms of ``log_vars`` that hold a NaN or inf.

    Args:
        log_vars (Mapping): Loss or log variables (name -> Tensor or
            number); entries whose name contains ``'loss'`` are checked.

    Returns:
        dict: name -> value (a Python number or nested list) of each bad
        term, in the order of ``log_vars``.
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


def check_finite_losses(losses: Mapping[str, Any], context: str) -> None:
    """Raise ``FloatingPointError`` naming ``context`` and every NaN/inf
    loss term of ``losses`` (see :func:`non_finite_terms`)."""
    bad = non_finite_terms(losses)
    if bad:
        terms = ', '.join(f'{name} = {value}' for name, value in bad.items())
        raise FloatingPointError(f'{context}: non-finite loss: {terms}')
