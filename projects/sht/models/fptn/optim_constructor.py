"""Optimizer wrappers for adversarial SHT/FPTN training.

mmengine builds an ``OptimWrapperDict`` when the ``optim_wrapper`` config
names a constructor. This one splits the parameters of a model that owns an
``fptn`` (:class:`FPTN`) into the two players of Eq. 5-6::

    optim_wrapper = dict(
        constructor='SHTOptimWrapperConstructor',
        generator=dict(type='OptimWrapper',
                       optimizer=dict(type='Adam', lr=2e-4,
                                      betas=(0.5, 0.999))),
        discriminator=dict(type='OptimWrapper',
                           optimizer=dict(type='Adam', lr=2e-4,
                                          betas=(0.5, 0.999))))

- ``generator``: every trainable parameter of the model outside FPTN (DHLN:
  backbone, neck, head) plus FPTN's generator;
- ``discriminator``: FPTN's D_A and D_S.

Each entry is an ordinary optimizer wrapper config (``AmpOptimWrapper`` for
mixed precision, ``clip_grad``, ``accumulative_counts``, and its own
``paramwise_cfg``), built by mmengine's ``DefaultOptimWrapperConstructor`` on
a view of the model whose parameter names are the model's own
(``backbone.*``, ``fptn.generator.*``, ``fptn.discriminator_a.*``), so
``paramwise_cfg.custom_keys`` match the model's names.
"""
from typing import Dict, Optional

from mmengine.model import is_model_wrapper
from mmengine.optim import DefaultOptimWrapperConstructor, OptimWrapperDict
from mmpose.registry import OPTIM_WRAPPER_CONSTRUCTORS
from torch import nn

WRAPPER_NAMES = ('generator', 'discriminator')
DISCRIMINATOR_NAMES = ('discriminator_a', 'discriminator_s')


def _unwrap(module: nn.Module) -> nn.Module:
    """Strip (possibly nested) distributed wrappers."""
    while is_model_wrapper(module):
        module = module.module
    return module


def _has_trainable_params(module: nn.Module) -> bool:
    return any(param.requires_grad for param in module.parameters())


def split_generator_discriminator(
        model: nn.Module) -> Dict[str, nn.ModuleDict]:
    """Views of ``model`` holding each player's submodules.

    Args:
        model (nn.Module): A model (or a distributed wrapper of one) with an
            ``fptn`` child that has ``discriminator_a`` and
            ``discriminator_s``.

    Returns:
        dict[str, nn.ModuleDict]: ``generator`` and ``discriminator`` views;
        the submodules are shared with ``model`` (not copied) and keep their
        names in it.
    """
    model = _unwrap(model)
    fptn = getattr(model, 'fptn', None)
    if fptn is None:
        raise ValueError(
            f'SHTOptimWrapperConstructor: {type(model).__name__} has no '
            'FPTN (attribute "fptn"); give the model an fptn config and a '
            'train_cfg, or use the default constructor for DHLN alone')
    fptn = _unwrap(fptn)
    for name in DISCRIMINATOR_NAMES:
        if not isinstance(getattr(fptn, name, None), nn.Module):
            raise ValueError('SHTOptimWrapperConstructor: the model\'s fptn '
                             f'({type(fptn).__name__}) has no {name}')
    generator_fptn = nn.ModuleDict({
        name: _unwrap(child)
        for name, child in fptn.named_children()
        if name not in DISCRIMINATOR_NAMES and _has_trainable_params(child)
    })
    generator_view = nn.ModuleDict({
        name: _unwrap(child)
        for name, child in model.named_children() if name != 'fptn'
    })
    generator_view['fptn'] = generator_fptn
    discriminator_view = nn.ModuleDict({
        'fptn':
        nn.ModuleDict(
            {name: getattr(fptn, name)
             for name in DISCRIMINATOR_NAMES})
    })
    return dict(generator=generator_view, discriminator=discriminator_view)


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
        for name in WRAPPER_NAMES:
            cfg = dict(optim_wrapper_cfg[name])
            if 'optimizer' not in cfg:
                raise ValueError('SHTOptimWrapperConstructor: '
                                 f'optim_wrapper.{name} has no optimizer')
            cfg.setdefault('type', 'OptimWrapper')
            side_paramwise = cfg.pop('paramwise_cfg', None)
            self.constructors[name] = DefaultOptimWrapperConstructor(
                cfg, side_paramwise)

    def __call__(self, model: nn.Module) -> OptimWrapperDict:
        """Build the two wrappers for ``model`` (or its DDP wrapper)."""
        views = split_generator_discriminator(model)
        return OptimWrapperDict(
            **{
                name: self.constructors[name](views[name])
                for name in WRAPPER_NAMES
            })
