"""Helpers on ``nn.Module`` trees shared by the models and the engine."""
from typing import Callable, Iterable, Sequence

from mmengine.model import is_model_wrapper
from torch import nn


def unwrap_model(module: nn.Module) -> nn.Module:
    """The module inside (possibly nested) distributed wrappers.

    Args:
        module (nn.Module): A module, or an mmengine model wrapper
            (``MMDistributedDataParallel``,
            ``MMSeparateDistributedDataParallel``, ...) around one.

    Returns:
        nn.Module: ``module`` with every wrapper layer removed.
    """
    while is_model_wrapper(module):
        module = module.module
    return module


def check_names_match(patterns: Iterable[str], names: Sequence[str],
                      match: Callable[[str, str], bool],
                      describe: Callable[[str], str]) -> None:
    """Raise ``ValueError`` for the first pattern that matches none of
    ``names`` (a config key that would silently change nothing).

    Args:
        patterns (Iterable[str]): e.g. parameter-name prefixes of a config.
        names (Sequence[str]): The module or parameter names.
        match (Callable): ``match(name, pattern)``, e.g. ``str.startswith``.
        describe (Callable): The start of the message for a pattern.

    Raises:
        ValueError: ``describe(pattern)`` and the top-level names there are.
    """
    for pattern in patterns:
        if not any(match(name, pattern) for name in names):
            tops = sorted({name.split('.')[0] for name in names})
            raise ValueError(f'{describe(pattern)} (the names start with '
                             f'{tops})')
