"""Optimizer wrappers for adversarial SHT/FPTN training.

mmengine builds an ``OptimWrapperDict`` when the ``optim_wrapper`` config
names a constructor. This one splits the parameters of a model that holds
FPTN's players as children (``SHTEstimator``) into the two sides of
Eq. 5-6::

    optim_wrapper = dict(
        constructor='SHTOptimWrapperConstructor',
        generator=dict(type='OptimWrapper',
                       optimizer=dict(type='Adam', lr=2e-4,
                                      betas=(0.5, 0.999))),
        discriminator=dict(type='OptimWrapper',
                           optimizer=dict(type='Adam', lr=2e-4,
                                          betas=(0.5, 0.999))))

- ``generator``: every trainable parameter of the model except the
  discriminators (DHLN: backbone, neck, head; FPTN's ``generator``);
- ``discriminator``: the model's ``discriminator_a`` (D_A) and
  ``discriminator_s`` (D_S).

Each entry is an ordinary optimizer wrapper config (``AmpOptimWrapper`` for
mixed precision, ``clip_grad``, ``accumulative_counts``, and its own
``paramwise_cfg``), built by mmengine's ``DefaultOptimWrapperConstructor`` on
a view of the model whose parameter names are the model's own
(``backbone.*``, ``generator.*``, ``discriminator_a.*``), so
``paramwise_cfg.custom_keys`` match the model's names. Children under a
distributed wrapper (``MMSeparateDistributedDataParallel``) are unwrapped.
"""
import contextlib
from typing import Dict, Iterator, Optional

from mmengine.model import is_model_wrapper
from mmengine.optim import (DefaultOptimWrapperConstructor, OptimWrapper,
                            OptimWrapperDict)
from mmpose.registry import OPTIM_WRAPPER_CONSTRUCTORS
from torch import nn

from ...engine.checkpoint_keys import FPTN_CHILDREN
from ...utils import check_names_match, unwrap_model
from .objective import DISCRIMINATOR_NAMES

WRAPPER_NAMES = ('generator', 'discriminator')


def _has_trainable_params(module: nn.Module) -> bool:
    return any(param.requires_grad for param in module.parameters())


def side_children(model: nn.Module, side: str) -> Dict[str, nn.Module]:
    """The children of ``model`` that one side of Eq. 5-6 updates.

    Args:
        model (nn.Module): A model (or a distributed wrapper of one) with
            ``discriminator_a`` and ``discriminator_s`` children.
        side (str): ``'discriminator'`` (D_A and D_S) or ``'generator'``
            (every other child, less FPTN's loss modules without a
            trainable parameter: the frozen VGG).

    Returns:
        dict[str, nn.Module]: name -> child, each as the model holds it
        (possibly under its own distributed wrapper).
    """
    if side not in WRAPPER_NAMES:
        raise ValueError('SHTOptimWrapperConstructor: side must be one of '
                         f'{WRAPPER_NAMES}, got {side!r}')
    model = unwrap_model(model)
    children = dict(model.named_children())
    missing = [name for name in DISCRIMINATOR_NAMES if name not in children]
    if missing:
        raise ValueError(
            f'SHTOptimWrapperConstructor: {type(model).__name__} has no FPTN '
            f'({", ".join(missing)}); give the model an fptn config and a '
            'train_cfg, or use the default constructor for DHLN alone')
    if side == 'discriminator':
        return {name: children[name] for name in DISCRIMINATOR_NAMES}
    return {
        name: child
        for name, child in children.items()
        if name not in DISCRIMINATOR_NAMES and (
            name not in FPTN_CHILDREN or _has_trainable_params(child))
    }


def split_generator_discriminator(
        model: nn.Module) -> Dict[str, nn.ModuleDict]:
    """Views of ``model`` holding each side's submodules (unwrapped).

    Args:
        model (nn.Module): See :func:`side_children`.

    Returns:
        dict[str, nn.ModuleDict]: ``generator`` and ``discriminator`` views
        (:func:`side_children`); the submodules are shared with ``model``
        (not copied) and keep their names in it.
    """
    return {
        side: nn.ModuleDict({
            name: unwrap_model(child)
            for name, child in side_children(model, side).items()
        })
        for side in WRAPPER_NAMES
    }


@contextlib.contextmanager
def side_context(model: nn.Module, optim_wrapper: OptimWrapper,
                 side: str) -> Iterator[None]:
    """``optim_wrapper.optim_context`` of every distributed-wrapped child of
    ``side`` (:func:`side_children`; each its own ``no_sync`` while
    accumulating), or of ``model`` itself when none is wrapped (AMP
    autocast either way)."""
    wrapped = [
        child for child in side_children(model, side).values()
        if is_model_wrapper(child)
    ]
    with contextlib.ExitStack() as stack:
        for module in wrapped or [model]:
            stack.enter_context(optim_wrapper.optim_context(module))
        yield


@OPTIM_WRAPPER_CONSTRUCTORS.register_module()
class SHTOptimWrapperConstructor:
    """Build ``OptimWrapperDict(generator=..., discriminator=...)``.

    Args:
        optim_wrapper_cfg (dict): Exactly the keys ``generator`` and
            ``discriminator``, each an optimizer wrapper config (with
            ``optimizer``; ``type`` defaults to ``'OptimWrapper'``; an
            optional ``paramwise_cfg`` applies to that side only).
        paramwise_cfg (dict, optional): Must be None; put ``paramwise_cfg``
            inside the side it is for.
    """

    def __init__(self,
                 optim_wrapper_cfg: Dict,
                 paramwise_cfg: Optional[Dict] = None) -> None:
        if not isinstance(optim_wrapper_cfg, dict):
            raise TypeError('SHTOptimWrapperConstructor: optim_wrapper must '
                            f'be a dict, got {type(optim_wrapper_cfg)}')
        if set(optim_wrapper_cfg) != set(WRAPPER_NAMES):
            raise ValueError(
                'SHTOptimWrapperConstructor: optim_wrapper needs exactly the '
                f'keys {WRAPPER_NAMES} (besides "constructor"), got '
                f'{sorted(optim_wrapper_cfg)}')
        if paramwise_cfg is not None:
            raise ValueError(
                'SHTOptimWrapperConstructor: put paramwise_cfg inside '
                'optim_wrapper.generator or optim_wrapper.discriminator')
        self.constructors = {}
        self.custom_keys: Dict[str, list] = {}
        for name in WRAPPER_NAMES:
            cfg = dict(optim_wrapper_cfg[name])
            if 'optimizer' not in cfg:
                raise ValueError('SHTOptimWrapperConstructor: '
                                 f'optim_wrapper.{name} has no optimizer')
            cfg.setdefault('type', 'OptimWrapper')
            side_paramwise = cfg.pop('paramwise_cfg', None)
            self.custom_keys[name] = list(
                (side_paramwise or {}).get('custom_keys', {}))
            self.constructors[name] = DefaultOptimWrapperConstructor(
                cfg, side_paramwise)

    def _check_custom_keys(self, views: Dict[str, nn.ModuleDict]) -> None:
        """mmengine applies a ``custom_keys`` entry to the parameters whose
        name contains it and ignores an entry that matches none; here such
        an entry is an error (a learning rate that silently stays the
        base one)."""
        for side, keys in self.custom_keys.items():
            check_names_match(
                keys, [name for name, _ in views[side].named_parameters()],
                lambda name, key: key in name,
                lambda key: f'SHTOptimWrapperConstructor: optim_wrapper.'
                f'{side}.paramwise_cfg.custom_keys["{key}"] matches no '
                f'parameter of the {side} side')

    def __call__(self, model: nn.Module) -> OptimWrapperDict:
        """Build the two wrappers for ``model`` (or its DDP wrapper)."""
        views = split_generator_discriminator(model)
        self._check_custom_keys(views)
        return OptimWrapperDict(
            **{
                name: self.constructors[name](views[name])
                for name in WRAPPER_NAMES
            })
