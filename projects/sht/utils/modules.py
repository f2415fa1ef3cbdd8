"""Helpers on ``nn.Module`` trees shared by the models and the engine."""
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
