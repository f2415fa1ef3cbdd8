"""Inference-time optimisations that keep what a model computes.

Three independent steps, used by ``tools/analysis/benchmark.py``, by
``tools/deployment/export_onnx.py`` and (through
:class:`InferenceOptimHook`) by ``tools/test.py``:

- :func:`fuse_conv_bn` folds every eval-mode ``BatchNorm2d`` that directly
  follows a ``Conv2d`` inside an ``nn.Sequential`` into that convolution
  (``w' = w * g / sqrt(v + eps)``, ``b' = (b - m) * g / sqrt(v + eps) + beta``)
  and replaces the BatchNorm with ``nn.Identity``. In DHLN / SHN this covers
  the two inner BatchNorms of every bottleneck, the stem and the stack necks;
  the pre-activation BatchNorm at the start of a bottleneck has a ReLU (and
  the identity skip) between it and any convolution, so it stays.
- :func:`to_channels_last` stores the 4-D weights as NHWC, so oneDNN (CPU)
  and cuDNN (GPU) convolutions run without per-call layout reorders.
- :func:`maybe_compile` wraps a module with ``torch.compile`` when asked.
- :func:`tune_cpu_allocator` (process-wide, glibc) serves large CPU tensors
  from the reusable heap: by default glibc maps every block over 32 MB
  afresh (``mmap``) and returns it on free, so each batch-16 feature map
  (16 x 256 x 64 x 64 floats = 64 MiB) costs ~16k page faults per use.

Each changes only floating-point rounding: outputs equal the plain eval-mode
outputs within float tolerance (checked in ``tests/deployment``).

Test-time use from a config (the module must be imported, it registers the
hook)::

    custom_imports = dict(
        imports=['sht'],
        allow_failed_imports=False)
    custom_hooks = [dict(type='InferenceOptimHook', channels_last=True)]
"""
import ctypes
import ctypes.util
import platform
from typing import Optional

import torch
import torch.nn as nn
from mmengine.hooks import Hook
from mmengine.logging import print_log
from mmpose.registry import HOOKS
from torch.nn.utils.fusion import fuse_conv_bn_eval

from ..utils import unwrap_model

# attribute set on a model once its BatchNorms are folded (it must not be
# trained any more)
FUSED_FLAG = '_sht_conv_bn_fused'


def _check_eval(model: nn.Module, what: str) -> None:
    training = [name or '<root>' for name, m in model.named_modules()
                if m.training]
    if training:
        raise RuntimeError(
            f'{what} needs an eval-mode model (call model.eval() first); '
            f'modules in training mode: {training[:5]}')


def fuse_conv_bn(model: nn.Module) -> int:
    """Fold BatchNorms that directly follow a convolution into it, in place.

    Only ``Conv2d -> BatchNorm2d`` pairs that are consecutive children of an
    ``nn.Sequential`` are folded: there the execution order is the child
    order, so the fold cannot change what the model computes (a BatchNorm
    after a ReLU, or one whose input also feeds a skip, is left alone).

    Args:
        model (nn.Module): An eval-mode model (BatchNorm running statistics
            are used; folding is wrong for training).

    Returns:
        int: Number of folded pairs.

    Raises:
        RuntimeError: If any module of ``model`` is in training mode.
    """
    _check_eval(model, 'fuse_conv_bn')
    fused = 0
    for seq in [m for m in model.modules() if isinstance(m, nn.Sequential)]:
        for i in range(len(seq) - 1):
            conv, bn = seq[i], seq[i + 1]
            if not (isinstance(conv, nn.Conv2d)
                    and isinstance(bn, nn.BatchNorm2d)):
                continue
            if (bn.running_mean is None or bn.running_var is None
                    or bn.num_features != conv.out_channels):
                continue
            fused_conv = fuse_conv_bn_eval(conv, bn)
            # keep the conv's memory format (fuse_conv_bn_eval rebuilds it)
            if conv.weight.is_contiguous(memory_format=torch.channels_last):
                fused_conv.weight.data = fused_conv.weight.data.contiguous(
                    memory_format=torch.channels_last)
            seq[i] = fused_conv
            seq[i + 1] = nn.Identity()
            fused += 1
    setattr(model, FUSED_FLAG, True)
    return fused


def to_channels_last(model: nn.Module) -> nn.Module:
    """Store the model's 4-D parameters and buffers as channels-last (NHWC).

    Convolutions whose weight is channels-last return channels-last
    outputs, so the layout propagates from the first convolution on; the
    inputs may stay NCHW.

    Args:
        model (nn.Module): Any model.

    Returns:
        nn.Module: ``model`` itself, converted in place.
    """
    return model.to(memory_format=torch.channels_last)


def maybe_compile(model: nn.Module,
                  enabled: bool,
                  mode: Optional[str] = None,
                  dynamic: bool = False) -> nn.Module:
    """``torch.compile(model)`` when ``enabled``, else ``model`` unchanged.

    Compilation happens lazily on the first call (it takes minutes for the
    paper-sized DHLN on a CPU, which needs a C++ compiler for inductor).

    Args:
        model (nn.Module): Module to compile.
        enabled (bool): Whether to compile.
        mode (str, optional): ``torch.compile`` mode (e.g.
            ``'max-autotune'``). Defaults to None.
        dynamic (bool): Compile for dynamic shapes. Defaults to False.

    Returns:
        nn.Module: The compiled wrapper or ``model``.
    """
    if not enabled:
        return model
    if not hasattr(torch, 'compile'):
        raise RuntimeError('maybe_compile: this torch has no torch.compile '
                           f'(version {torch.__version__})')
    return torch.compile(model, mode=mode, dynamic=dynamic)


def tune_cpu_allocator() -> bool:
    """Keep freed CPU memory in the process heap for reuse (glibc only).

    Sets ``M_MMAP_MAX = 0`` (no fresh mapping per large block) and a 2 GiB
    ``M_TRIM_THRESHOLD`` (freed memory is not handed back at once), the
    same as the environment ``MALLOC_MMAP_MAX_=0
    MALLOC_TRIM_THRESHOLD_=2147483647``. Values are unchanged; the
    process keeps its peak memory reserved. Affects the whole process.

    Returns:
        bool: Whether the settings were applied (False off glibc).
    """
    if platform.system() != 'Linux' or platform.libc_ver()[0] != 'glibc':
        return False
    libc = ctypes.CDLL(ctypes.util.find_library('c') or 'libc.so.6')
    m_trim_threshold, m_mmap_max = -1, -4  # glibc's mallopt parameters
    return bool(libc.mallopt(m_mmap_max, 0)) and bool(
        libc.mallopt(m_trim_threshold, 2**31 - 1))


def optimize_for_inference(model: nn.Module,
                           fuse: bool = True,
                           channels_last: bool = True,
                           compile: bool = False) -> nn.Module:
    """Apply the inference optimisations to a model, in place.

    For an mmpose estimator (a model with a ``backbone``) only the backbone
    is compiled: the estimator's own Python (input checks, decoding) stays
    eager.

    Args:
        model (nn.Module): An eval-mode model or estimator.
        fuse (bool): Fold Conv2d + BatchNorm2d pairs. Defaults to True.
        channels_last (bool): Convert to channels-last. Defaults to True.
        compile (bool): ``torch.compile`` the backbone (or the model).
            Defaults to False.

    Returns:
        nn.Module: The optimised model (the same object unless a model
        without a backbone is compiled).
    """
    if fuse:
        fuse_conv_bn(model)
    if channels_last:
        to_channels_last(model)
    if compile:
        if isinstance(getattr(model, 'backbone', None), nn.Module):
            model.backbone = maybe_compile(model.backbone, True)
        else:
            model = maybe_compile(model, True)
    return model


@HOOKS.register_module()
class InferenceOptimHook(Hook):
    """Optimise the model for inference before the test loop.

    Runs in ``before_test`` (after the checkpoint is loaded); validation
    during training is left alone, since folded BatchNorms cannot be
    trained.

    Args:
        fuse_conv_bn (bool): Fold Conv2d + BatchNorm2d. Defaults to True.
        channels_last (bool): Channels-last weights. Defaults to True.
        compile (bool): ``torch.compile`` the backbone. Defaults to False.
    """

    priority = 'LOW'

    def __init__(self,
                 fuse_conv_bn: bool = True,
                 channels_last: bool = True,
                 compile: bool = False) -> None:
        self.fuse = fuse_conv_bn
        self.channels_last = channels_last
        self.compile = compile

    def before_test(self, runner) -> None:
        """Optimise ``runner.model`` (unwrapped from any model wrapper)."""
        model = unwrap_model(runner.model)
        model.eval()
        optimize_for_inference(
            model,
            fuse=self.fuse,
            channels_last=self.channels_last,
            compile=self.compile)
        print_log(
            f'InferenceOptimHook: fuse_conv_bn={self.fuse}, '
            f'channels_last={self.channels_last}, compile={self.compile}',
            logger='current')
