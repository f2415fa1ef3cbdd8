"""FPTN's players as direct children of SHTEstimator: one DDP each under
``MMSeparateDistributedDataParallel`` (CPU, gloo), the state-dict layout and
older ``fptn.*`` checkpoints."""
import contextlib
from collections import OrderedDict

import pytest
import torch
import torch.distributed as torch_dist
from mmengine.model import (MMDistributedDataParallel,
                            MMSeparateDistributedDataParallel,
                            is_model_wrapper)
from mmengine.optim import OptimWrapper, OptimWrapperDict, build_optim_wrapper
from mmengine.registry import init_default_scope
from mmpose.registry import MODELS
from torch import nn

import sht  # noqa: F401  (registers the modules)
from sht.engine.checkpoint_keys import FPTN_CHILDREN
from helpers.tiny_models import make_pair_batch, tiny_sht_cfg

ADAM = dict(type='Adam', lr=1e-3, betas=(0.5, 0.999))
OPTIM_CFG = dict(
    constructor='SHTOptimWrapperConstructor',
    generator=dict(type='OptimWrapper', optimizer=ADAM),
    discriminator=dict(type='OptimWrapper', optimizer=ADAM))
PLAYERS = ('generator', 'discriminator_a', 'discriminator_s')


@pytest.fixture(autouse=True)
def _scope():
    init_default_scope('mmpose')


def build(train_mode='sht', seed=0):
    torch.manual_seed(seed)
    model = MODELS.build(tiny_sht_cfg(train_cfg=dict(), train_mode=train_mode))
    model.init_weights()
    return model.train()


@pytest.fixture
def process_group(tmp_path):
    """A one-process gloo group (what a CPU ``dist_train.sh`` run has)."""
    torch_dist.init_process_group(
        'gloo', init_method=f'file://{tmp_path / "pg"}', rank=0,
        world_size=1)
    yield
    torch_dist.destroy_process_group()


def test_players_and_losses_are_direct_children():
    model = build()
    children = dict(model.named_children())
    assert sorted(list(children)[-5:]) == sorted(FPTN_CHILDREN)
    assert type(children['generator']).__name__ == 'PATBGenerator'
    assert children['discriminator_a'].in_channels == 6
    assert children['discriminator_s'].in_channels == 5 + 3  # K + 3
    assert not hasattr(model, 'fptn')
    assert {k.split('.')[0] for k in model.state_dict()} == {
        'backbone', 'generator', 'discriminator_a', 'discriminator_s',
        'perceptual_loss'
    }


def test_separate_ddp_wraps_each_player_and_trains(process_group):
    model = build('fptn')
    ddp = MMSeparateDistributedDataParallel(
        model, broadcast_buffers=False, find_unused_parameters=True)
    for name in PLAYERS + ('backbone', ):
        assert isinstance(getattr(model, name),
                          MMDistributedDataParallel), name
    # no trainable parameter: nothing to synchronise
    for name in ('head', 'gan_loss', 'perceptual_loss'):
        assert not is_model_wrapper(getattr(model, name)), name
    calls = []
    for name in PLAYERS:
        getattr(model, name).register_forward_pre_hook(
            lambda module, args, name=name: calls.append(name))
    wrappers = build_optim_wrapper(ddp, dict(OPTIM_CFG))
    disc_params = {id(p) for name in PLAYERS[1:]
                   for p in getattr(model, name).module.parameters()}
    assert {id(p) for g in wrappers['discriminator'].optimizer.param_groups
            for p in g['params']} == disc_params

    before = {
        name: [p.detach().clone() for p in getattr(model, name).parameters()]
        for name in PLAYERS
    }
    for mode in ('fptn', 'sht', 'sht'):
        model.train_mode = mode
        log_vars = ddp.train_step(make_pair_batch([True] * 4), wrappers)
        assert torch.isfinite(torch.as_tensor(log_vars['loss_disc']))
    # each player ran through its own DDP: G once, D_A and D_S once on the
    # generator step and twice (real, fake) on the discriminator step
    assert calls[:7] == ['generator', 'discriminator_a', 'discriminator_s'] \
        + ['discriminator_a', 'discriminator_s'] * 2
    assert len(calls) == 3 * 7
    for name in PLAYERS:
        after = list(getattr(model, name).parameters())
        assert any(not torch.equal(a, b)
                   for a, b in zip(after, before[name])), name
    # checkpoints of the wrapped model hold the plain keys
    keys = list(model.state_dict())
    assert not any('.module.' in k for k in keys)
    assert keys == list(build().state_dict())


def test_each_wrapped_child_gets_its_side_optim_context(process_group):
    model = build('sht')
    ddp = MMSeparateDistributedDataParallel(
        model, broadcast_buffers=False, find_unused_parameters=True)
    entered = []

    class RecordingWrapper(OptimWrapper):

        @contextlib.contextmanager
        def optim_context(self, module):
            entered.append((self.side, module))
            with super().optim_context(module):
                yield

    views = build_optim_wrapper(ddp, dict(OPTIM_CFG))
    wrappers = {}
    for side in ('generator', 'discriminator'):
        wrapper = RecordingWrapper(views[side].optimizer)
        wrapper.side = side
        wrappers[side] = wrapper
    ddp.train_step(make_pair_batch([True] * 4), OptimWrapperDict(**wrappers))
    assert entered == [
        ('generator', model.backbone), ('generator', model.generator),
        ('discriminator', model.discriminator_a),
        ('discriminator', model.discriminator_s)
    ]


# ------------------------------------------------------------ checkpoints
def old_layout_state_dict(model: nn.Module,
                          wrapped: bool = False) -> OrderedDict:
    """``state_dict()`` of the same weights in the layout before FPTN's
    children moved up: one ``fptn`` child holding them (under a distributed
    wrapper's ``module`` when ``wrapped``)."""
    old = nn.Module()
    fptn = nn.Module()
    for name, child in model.named_children():
        if name in FPTN_CHILDREN:
            fptn.add_module(name, child)
        else:
            old.add_module(name, child)
    if wrapped:
        wrapper = nn.Module()
        wrapper.add_module('module', fptn)
        fptn = wrapper
    old.add_module('fptn', fptn)
    return old.state_dict()


@pytest.mark.parametrize('wrapped', [False, True])
def test_old_fptn_checkpoints_load(wrapped):
    source = build('sht', seed=1)
    state = old_layout_state_dict(source, wrapped)
    prefix = 'fptn.module.' if wrapped else 'fptn.'
    assert any(k.startswith(prefix + 'generator.') for k in state)
    assert not any(k.startswith('generator.') for k in state)
    assert 'fptn.generator' in state._metadata or wrapped

    target = build('sht', seed=2)
    result = target.load_state_dict(state, strict=True)
    assert not result.missing_keys and not result.unexpected_keys
    for name, value in source.state_dict().items():
        assert torch.equal(target.state_dict()[name], value), name

    # an inference model ignores the old FPTN entries as well
    inference = MODELS.build(tiny_sht_cfg(train_cfg=None))
    result = inference.load_state_dict(
        old_layout_state_dict(source, wrapped), strict=True)
    assert not result.missing_keys and not result.unexpected_keys


def test_old_checkpoint_with_an_unknown_fptn_entry_fails():
    state = old_layout_state_dict(build())
    state['fptn.extra.weight'] = torch.zeros(1)
    with pytest.raises(RuntimeError, match='fptn.extra.weight'):
        build().load_state_dict(state, strict=True)


def test_players_initialise_in_the_order_of_a_single_fptn_module():
    """D_A, D_S, then G: a seed gives the same weights as when the three
    lived in one module that initialised its discriminators first."""
    model = build()  # seed 0, init_weights
    torch.manual_seed(0)
    expected = MODELS.build(tiny_sht_cfg(train_cfg=dict()))
    for name in ('discriminator_a', 'discriminator_s', 'generator'):
        for module in getattr(expected, name).modules():
            if isinstance(module, (torch.nn.Conv2d, torch.nn.ConvTranspose2d)):
                torch.nn.init.normal_(module.weight, 0.0, 0.02)
                if module.bias is not None:
                    torch.nn.init.zeros_(module.bias)
    for key, value in expected.generator.state_dict().items():
        if 'warp' not in key:
            assert torch.equal(model.generator.state_dict()[key], value), key
    for name in ('discriminator_a', 'discriminator_s'):
        for key, value in getattr(expected, name).state_dict().items():
            assert torch.equal(getattr(model, name).state_dict()[key],
                               value), (name, key)
