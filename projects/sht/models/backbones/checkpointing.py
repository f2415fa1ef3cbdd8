"""Activation checkpointing (``with_cp``), the OpenMMLab way.

As in mmpose's ResNet / HRNet blocks, a module built with ``with_cp=True``
runs each of its large sub-blocks through ``torch.utils.checkpoint``: the
block's intermediate activations are dropped after the forward pass and
recomputed during the backward pass, trading one extra forward of the block
for the memory of its activations. Outputs and gradients are unchanged.

Checkpointing only applies while autograd records (training); under
``torch.no_grad()`` (inference, ONNX export) the blocks run as usual.

Note: a BatchNorm inside a checkpointed block in training mode sees the
same batch twice (forward and recomputation), so its running statistics
take two momentum steps towards that batch's statistics per iteration
instead of one (mmpose's ResNet / HRNet behave the same).
"""
from typing import Any, Callable

import torch
from torch.utils.checkpoint import checkpoint


def maybe_checkpoint(fn: Callable[..., Any], *args: Any,
                     enabled: bool) -> Any:
    """``fn(*args)``, through ``torch.utils.checkpoint`` when ``enabled``.

    The non-reentrant implementation (``use_reentrant=False``) is used: it
    gives the parameters inside ``fn`` their gradients even when no input
    requires grad (e.g. the image entering a stem or an encoder), keeps the
    RNG state for the recomputation, and accepts any number of tensor or
    non-tensor arguments and outputs.

    Args:
        fn (callable): The block (a module or a function of ``args``).
        *args: Its inputs.
        enabled (bool): Checkpoint (when autograd is recording).

    Returns:
        Any: What ``fn(*args)`` returns.
    """
    if enabled and torch.is_grad_enabled():
        return checkpoint(fn, *args, use_reentrant=False)
    return fn(*args)


def set_with_cp(model: torch.nn.Module, enabled: bool) -> int:
    """Switch activation checkpointing of every sub-module that has a
    ``with_cp`` option (DHLN, the FPTN generator, the discriminators).

    The option is read at every forward pass, so one model (and one
    optimizer) can be timed both ways.

    Args:
        model (nn.Module): Any model.
        enabled (bool): The new ``with_cp``.

    Returns:
        int: How many modules were switched.
    """
    count = 0
    for module in model.modules():
        if isinstance(getattr(module, 'with_cp', None), bool):
            module.with_cp = bool(enabled)
            count += 1
    return count
