"""Activation checkpointing (``with_cp``) of DHLN, the FPTN generator and
the discriminators: same outputs and gradients, fewer saved activations,
blocks recomputed in the backward pass only."""
from typing import Callable, Dict, Tuple

import pytest
import torch
import torch.nn as nn

from sht.models.backbones import DHLN
from sht.models.backbones.checkpointing import maybe_checkpoint
from sht.models.fptn import PATBGenerator, PoseTransferDiscriminator

TINY_DHLN = dict(num_keypoints=5, num_stacks=2, stack_channels=16,
                 hourglass_depth=2, sr_channels=8, num_sr_blocks=2,
                 sr_hidden_channels=8, sr_scale=2)


def _pair(build: Callable[[bool], nn.Module]) -> Tuple[nn.Module, nn.Module]:
    """The same weights built without and with checkpointing."""
    torch.manual_seed(0)
    plain = build(False)
    torch.manual_seed(1)
    ckpt = build(True)
    ckpt.load_state_dict(plain.state_dict())
    plain.train()  # (mmpose backbones' train() returns None)
    ckpt.train()
    return plain, ckpt


def _flat(out) -> Tuple[torch.Tensor, ...]:
    if isinstance(out, torch.Tensor):
        return (out, )
    return tuple(t for o in out if o is not None for t in _flat(o))


def _loss(out) -> torch.Tensor:
    """A loss that weighs every output element differently."""
    total = 0
    for i, t in enumerate(_flat(out)):
        w = torch.linspace(-1, 1, t.numel()).view_as(t) + i
        total = total + (t * w).sum()
    return total


def _forward_backward(model: nn.Module, inputs: Tuple[torch.Tensor, ...]):
    inputs = tuple(x.clone().requires_grad_(True) for x in inputs)
    model.zero_grad(set_to_none=True)
    out = model(*inputs)
    _loss(out).backward()
    grads: Dict[str, torch.Tensor] = {
        n: p.grad.clone() for n, p in model.named_parameters()
        if p.grad is not None
    }
    return _flat(out), grads, tuple(x.grad for x in inputs)


def _saved_bytes(model: nn.Module, inputs) -> int:
    """Bytes of the tensors autograd keeps for the backward pass."""
    total = [0]

    def pack(t: torch.Tensor) -> torch.Tensor:
        total[0] += t.numel() * t.element_size()
        return t

    with torch.autograd.graph.saved_tensors_hooks(pack, lambda t: t):
        _loss(model(*inputs))
    return total[0]


def _build_dhln(**streams):
    return lambda cp: DHLN(**dict(TINY_DHLN, **streams), with_cp=cp)


def _build_generator(cp: bool) -> nn.Module:
    return PATBGenerator(num_keypoints=3, base_channels=4, num_blocks=2,
                         with_cp=cp)


def _build_discriminator(cp: bool) -> nn.Module:
    return PoseTransferDiscriminator(in_channels=6, base_channels=4,
                                     num_res_blocks=2, with_cp=cp)


CASES = {
    'DHLN': (_build_dhln(), lambda: (torch.rand(2, 3, 16, 16), )),
    'SHN': (_build_dhln(with_sr_stream=False),
            lambda: (torch.rand(2, 3, 16, 16), )),
    'FHS': (_build_dhln(with_landmark_stream=False),
            lambda: (torch.rand(2, 3, 16, 16), )),
    'generator': (_build_generator, lambda: (torch.rand(2, 3, 16, 16),
                                             torch.rand(2, 3, 8, 8),
                                             torch.rand(2, 3, 8, 8))),
    'discriminator': (_build_discriminator,
                      lambda: (torch.rand(2, 6, 16, 16), )),
}


@pytest.mark.parametrize('name', list(CASES))
def test_same_outputs_and_gradients(name):
    build, make_inputs = CASES[name]
    plain, ckpt = _pair(build)
    assert not plain.with_cp and ckpt.with_cp
    torch.manual_seed(2)
    inputs = make_inputs()
    out_a, grads_a, in_a = _forward_backward(plain, inputs)
    out_b, grads_b, in_b = _forward_backward(ckpt, inputs)
    assert len(out_a) == len(out_b) > 0
    for a, b in zip(out_a, out_b):
        torch.testing.assert_close(b, a, rtol=1e-5, atol=1e-6)
    # every parameter gets its gradient, the first block's included
    # (its input, the image, needs no grad)
    assert grads_a.keys() == grads_b.keys()
    assert len(grads_a) == sum(1 for _ in plain.parameters())
    for key in grads_a:
        torch.testing.assert_close(grads_b[key], grads_a[key], rtol=1e-4,
                                   atol=1e-5, msg=key)
    for a, b in zip(in_a, in_b):
        torch.testing.assert_close(b, a, rtol=1e-4, atol=1e-6)


@pytest.mark.parametrize('name', list(CASES))
def test_fewer_activations_are_kept(name):
    build, make_inputs = CASES[name]
    plain, ckpt = _pair(build)
    inputs = make_inputs()
    saved_plain = _saved_bytes(plain, inputs)
    saved_ckpt = _saved_bytes(ckpt, inputs)
    assert saved_ckpt < 0.5 * saved_plain, (saved_ckpt, saved_plain)


def test_blocks_rerun_in_backward_only():
    """A checkpointed block runs twice per training step (forward and
    recomputation), once under no_grad, and no recomputation happens
    without with_cp."""
    calls = []
    for cp in (False, True):
        torch.manual_seed(0)
        model = DHLN(**TINY_DHLN, with_cp=cp)
        model.train()
        count = [0]
        model.hourglasses[0].register_forward_hook(
            lambda *_: count.__setitem__(0, count[0] + 1))
        x = torch.rand(2, 3, 16, 16)
        heatmaps, sr = model(x)
        forward = count[0]
        (heatmaps[-1].sum() + sr.sum()).backward()
        with torch.no_grad():
            model(x)
        calls.append((forward, count[0]))
    assert calls[0] == (1, 2)  # plain: forward, then the no_grad call
    assert calls[1] == (1, 3)  # with_cp: + the recomputation


def test_eval_outputs_unchanged():
    plain, ckpt = _pair(_build_dhln())
    plain.eval()
    ckpt.eval()
    x = torch.rand(1, 3, 16, 16)
    with torch.no_grad():
        for a, b in zip(_flat(plain(x)), _flat(ckpt(x))):
            torch.testing.assert_close(b, a)


def test_maybe_checkpoint_passes_arguments_through():
    lin = nn.Linear(3, 2)
    x = torch.rand(4, 3)

    def fn(a, scale):
        return lin(a) * scale, a.sum()

    ref = fn(x, 2.0)
    for enabled in (False, True):
        out = maybe_checkpoint(fn, x, 2.0, enabled=enabled)
        torch.testing.assert_close(out[0], ref[0])
        torch.testing.assert_close(out[1], ref[1])


def test_set_with_cp_switches_every_module():
    from sht.models.backbones.checkpointing import set_with_cp
    model = nn.ModuleDict(dict(
        dhln=DHLN(**TINY_DHLN), gen=_build_generator(False),
        disc=_build_discriminator(False)))
    assert set_with_cp(model, True) == 3
    assert model['dhln'].with_cp and model['gen'].with_cp
    assert model['disc'].with_cp
    assert set_with_cp(model, False) == 3 and not model['gen'].with_cp
