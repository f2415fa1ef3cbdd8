"""Inference optimisations keep what DHLN / SHN compute."""
import subprocess
import sys
from copy import deepcopy
from types import SimpleNamespace

import numpy as np
import pytest
import torch
import torch.nn as nn
from helpers.deploy_testing import TINY_M, write_tiny_config
from helpers.tiny_models import TINY_DHLN

from sht.models.backbones import DHLN, Bottleneck
from sht.models.inference_optim import (FUSED_FLAG, InferenceOptimHook,
                                        fuse_conv_bn, maybe_compile,
                                        optimize_for_inference,
                                        to_channels_last)


def randomize_batchnorms(model: nn.Module, seed: int = 0) -> nn.Module:
    """Non-trivial running statistics and affine parameters."""
    gen = torch.Generator().manual_seed(seed)
    for m in model.modules():
        if isinstance(m, nn.BatchNorm2d):
            c = m.num_features
            m.running_mean.copy_(torch.randn(c, generator=gen) * 0.5)
            m.running_var.copy_(torch.rand(c, generator=gen) * 1.5 + 0.5)
            m.weight.data.copy_(torch.rand(c, generator=gen) + 0.5)
            m.bias.data.copy_(torch.randn(c, generator=gen) * 0.2)
    return model


def tiny_dhln(**kwargs) -> DHLN:
    torch.manual_seed(0)
    model = DHLN(num_keypoints=5, sr_scale=2, **dict(TINY_DHLN,
                                                      **kwargs))
    randomize_batchnorms(model)
    model.eval()
    return model


def test_fold_matches_numpy():
    """The folded conv is w * g / sqrt(v + eps), (b - m) * g / sqrt(v + eps)
    + beta, computed here with NumPy."""
    torch.manual_seed(1)
    seq = nn.Sequential(nn.Conv2d(3, 4, 3, padding=1), nn.BatchNorm2d(4))
    randomize_batchnorms(seq, seed=1)
    seq.eval()
    x = torch.rand(2, 3, 6, 6)
    with torch.no_grad():
        expected = seq(x)
    w = seq[0].weight.detach().numpy().astype(np.float64)
    b = seq[0].bias.detach().numpy().astype(np.float64)
    bn = seq[1]
    scale = bn.weight.detach().numpy() / np.sqrt(bn.running_var.numpy() +
                                                 bn.eps)
    shift = bn.bias.detach().numpy() - bn.running_mean.numpy() * scale

    assert fuse_conv_bn(seq) == 1
    assert isinstance(seq[1], nn.Identity)
    np.testing.assert_allclose(seq[0].weight.detach().numpy(),
                               w * scale[:, None, None, None], rtol=1e-5)
    np.testing.assert_allclose(seq[0].bias.detach().numpy(),
                               b * scale + shift, rtol=1e-5, atol=1e-6)
    with torch.no_grad():
        torch.testing.assert_close(seq(x), expected, rtol=1e-5, atol=1e-5)


def test_only_adjacent_conv_bn_pairs_are_folded():
    conv_relu_bn = nn.Sequential(
        nn.Conv2d(3, 4, 1), nn.ReLU(), nn.BatchNorm2d(4)).eval()
    pre_activation = nn.Sequential(
        nn.BatchNorm2d(3), nn.ReLU(), nn.Conv2d(3, 4, 1)).eval()
    assert fuse_conv_bn(conv_relu_bn) == 0
    assert fuse_conv_bn(pre_activation) == 0
    assert isinstance(conv_relu_bn[2], nn.BatchNorm2d)
    with pytest.raises(RuntimeError, match='eval-mode'):
        fuse_conv_bn(nn.Sequential(nn.Conv2d(3, 4, 1), nn.BatchNorm2d(4)))


def test_fold_count_on_dhln():
    """Counted by hand: every bottleneck folds 2 BatchNorms and keeps its
    pre-activation one; the stem's conv7x7 and each stack neck fold 1.

    Bottlenecks: stem 3; an hourglass of depth 2 has up1, low1, low3,
    merge plus the inner one (up1, low1, low2, low3, merge) = 9; each
    stack neck 1. Two stacks: 3 + 2 * (9 + 1) = 23.
    """
    model = tiny_dhln()
    bottlenecks = sum(isinstance(m, Bottleneck) for m in model.modules())
    assert bottlenecks == 23
    assert fuse_conv_bn(model) == 2 * 23 + 1 + 2
    left = sum(isinstance(m, nn.BatchNorm2d) for m in model.modules())
    assert left == 23
    assert getattr(model, FUSED_FLAG)


@pytest.mark.parametrize('streams', [
    dict(),  # DHLN
    dict(with_sr_stream=False),  # SHN
    dict(with_landmark_stream=False),  # FHS
])
def test_optimized_backbone_matches_plain_eval(streams):
    model = tiny_dhln(**streams)
    fast = to_channels_last(deepcopy(model))
    fuse_conv_bn(fast)
    x = torch.rand(3, 3, 16, 16)
    with torch.no_grad():
        ref_hm, ref_sr = model(x)
        hm, sr = fast(x)
    first_conv = next(m for m in fast.modules() if isinstance(m, nn.Conv2d))
    assert first_conv.weight.is_contiguous(memory_format=torch.channels_last)
    if ref_hm is None:
        assert hm is None
    else:
        assert len(hm) == len(ref_hm) == 2
        for a, b in zip(hm, ref_hm):
            torch.testing.assert_close(a, b, rtol=1e-4, atol=1e-5)
    if ref_sr is None:
        assert sr is None
    else:
        torch.testing.assert_close(sr, ref_sr, rtol=1e-4, atol=1e-5)


def _build(config_path: str):
    from mmengine.config import Config
    from mmengine.registry import init_default_scope
    from mmpose.registry import MODELS
    cfg = Config.fromfile(config_path)
    init_default_scope('mmpose')
    torch.manual_seed(0)
    model = MODELS.build(cfg.model)
    randomize_batchnorms(model)
    return model.eval()


def test_estimator_landmarks_and_face_unchanged(tmp_path):
    model = _build(
        write_tiny_config(tmp_path, '300w/DHLN-M_300W.py', TINY_M))
    fast = optimize_for_inference(deepcopy(model))
    hr = torch.rand(4, 3, 64, 64)
    with torch.no_grad():
        ref, out = model.extract_feat(hr), fast.extract_feat(hr)
    torch.testing.assert_close(out.sr, ref.sr, rtol=1e-4, atol=1e-5)
    torch.testing.assert_close(
        out.heatmaps[-1], ref.heatmaps[-1], rtol=1e-4, atol=1e-5)
    ref_kpts = np.stack([p.keypoints for p in model.head.decode(
        ref.heatmaps[-1])])
    kpts = np.stack([p.keypoints for p in fast.head.decode(
        out.heatmaps[-1])])
    assert ref_kpts.shape == (4, 1, 68, 2)
    np.testing.assert_allclose(kpts, ref_kpts, atol=1e-3)


def test_hook_optimizes_the_test_model(tmp_path):
    model = _build(
        write_tiny_config(tmp_path, '300w/DHLN-M_300W.py', TINY_M))
    reference = deepcopy(model)
    model.train()
    runner = SimpleNamespace(model=model)
    InferenceOptimHook(channels_last=True).before_test(runner)
    assert not model.training
    assert getattr(model, FUSED_FLAG)
    assert model.backbone.sr_head.weight.is_contiguous(
        memory_format=torch.channels_last)
    hr = torch.rand(2, 3, 64, 64)
    with torch.no_grad():
        torch.testing.assert_close(
            model(hr, None, mode='tensor'),
            reference(hr, None, mode='tensor'),
            rtol=1e-4, atol=1e-5)


def test_maybe_compile_is_a_switch():
    model = tiny_dhln()
    assert maybe_compile(model, False) is model
    compiled = maybe_compile(model, True)  # lazy: nothing compiled yet
    assert compiled is not model
    assert compiled._orig_mod is model
    # a module without a backbone is compiled as a whole
    whole = optimize_for_inference(model, fuse=False, channels_last=False,
                                   compile=True)
    assert whole._orig_mod is model


ALLOCATION_STATS = """
import ctypes, ctypes.util, sys, torch
from sht.models.inference_optim import tune_cpu_allocator


class MallInfo2(ctypes.Structure):
    _fields_ = [(name, ctypes.c_size_t) for name in (
        'arena', 'ordblks', 'smblks', 'hblks', 'hblkhd', 'usmblks',
        'fsmblks', 'uordblks', 'fordblks', 'keepcost')]


libc = ctypes.CDLL(ctypes.util.find_library('c') or 'libc.so.6')
libc.mallinfo2.restype = MallInfo2
if sys.argv[1] == 'tuned':
    assert tune_cpu_allocator()
mapped_before = libc.mallinfo2().hblkhd
x = torch.ones(16 * 2**20)  # 64 MiB, above glibc's default mmap threshold
mapped_while_held = libc.mallinfo2().hblkhd - mapped_before
del x
heap_after_free = libc.mallinfo2().arena
print(mapped_while_held, heap_after_free)
"""


@pytest.mark.skipif(not sys.platform.startswith('linux'),
                    reason='glibc malloc tuning')
def test_tuned_allocator_keeps_large_blocks_in_the_heap():
    """With glibc's defaults a 64 MiB tensor is its own mmap (returned to
    the kernel on free, so every allocation faults its pages in again);
    tuned, it comes from the heap, which keeps it after the free.

    Checked through glibc's own ``mallinfo2`` book-keeping rather than page
    fault counts, which depend on the kernel and the host.
    """

    def stats(mode):
        proc = subprocess.run([sys.executable, '-c', ALLOCATION_STATS,
                               mode], capture_output=True, text=True,
                              timeout=120)
        assert proc.returncode == 0, proc.stderr[-2000:]
        return [int(v) for v in proc.stdout.split()[-2:]]

    block = 64 * 2**20
    mapped, _ = stats('default')
    if mapped < block:
        pytest.skip('torch does not allocate through glibc malloc here '
                    '(a preloaded allocator?)')
    mapped, heap_after_free = stats('tuned')
    assert mapped == 0
    assert heap_after_free >= block


# ---- the speed rewrites of the DHLN blocks (in-place residual adds, the
# ---- broadcast nearest up-sampling) against the out-of-place formulas
def _ref_residual(block, x):
    return block.body(x) + block.skip(x)


def _ref_hourglass(hg, x):
    up1 = _ref_residual(hg.up1, x)
    low = _ref_residual(hg.low1, torch.nn.functional.max_pool2d(x, 2))
    low = (_ref_hourglass(hg.low2, low) if hg.depth > 1 else
           _ref_residual(hg.low2, low))
    low = _ref_residual(hg.low3, low)
    up2 = torch.nn.functional.interpolate(low, scale_factor=2,
                                          mode='nearest')
    return _ref_residual(hg.merge, up1 + up2)


def _ref_dhln(m, lr):
    """DHLN's forward (Fig. 3, Eq. 1, Eq. 2) written out of place."""
    x = m.stem(lr)
    q = m.sr_head(lr)
    heatmaps = []
    for t in range(m.num_stacks):
        q = m.sr_modules[t](q)
        p = m.stack_necks[t](_ref_hourglass(m.hourglasses[t], x))
        q = q + q * torch.sigmoid(_ref_residual(m.fu_block1[t].rb, p))
        p = p + m.fu_block2[t].conv(torch.cat([p, q], 1))
        h = m.heatmap_convs[t](p)
        heatmaps.append(h)
        if t < m.num_stacks - 1:
            x = x + m.feat_remaps[t](p) + m.heatmap_remaps[t](h)
    tail = m.sr_tail
    sr = tail.to_rgb(tail.upsampler(q)) + torch.nn.functional.interpolate(
        lr, scale_factor=tail.scale, mode='bicubic', align_corners=False)
    return heatmaps, sr


@pytest.mark.parametrize('channels_last', [False, True])
def test_dhln_rewrites_keep_outputs_and_gradients(channels_last):
    model = tiny_dhln()
    model.train()
    lr = torch.rand(2, 3, 16, 16)
    if channels_last:
        to_channels_last(model)
        lr = lr.contiguous(memory_format=torch.channels_last)
    gen = torch.Generator().manual_seed(3)
    w_hm = torch.rand(2, 5, 16, 16, generator=gen)
    w_sr = torch.rand(2, 3, 32, 32, generator=gen)

    def run(forward):
        model.zero_grad()
        x = lr.clone().requires_grad_(True)
        heatmaps, sr = forward(x)
        loss = sum((h * w_hm).sum() for h in heatmaps) + (sr * w_sr).sum()
        loss.backward()
        grads = {n: p.grad.clone() for n, p in model.named_parameters()}
        return [h.detach() for h in heatmaps], sr.detach(), x.grad, grads

    # BatchNorm in training mode uses batch statistics: both runs see the
    # same batch, so they must agree
    hm, sr, gx, grads = run(model)
    ref_hm, ref_sr, ref_gx, ref_grads = run(lambda x: _ref_dhln(model, x))
    for a, b in zip(hm, ref_hm):
        torch.testing.assert_close(a, b, rtol=1e-5, atol=1e-6)
    torch.testing.assert_close(sr, ref_sr, rtol=1e-5, atol=1e-6)
    # gradients: float32 sums in another order (and a fused multiply-add)
    scale = float(ref_gx.abs().max())
    torch.testing.assert_close(gx, ref_gx, rtol=1e-3, atol=1e-4 * scale)
    # (biases of convs followed by a training-mode BatchNorm have zero
    # gradient up to rounding, hence an absolute tolerance on the model's
    # gradient scale)
    scale = max(float(g.abs().max()) for g in ref_grads.values())
    for name, g in grads.items():
        torch.testing.assert_close(
            g, ref_grads[name], rtol=1e-3, atol=1e-5 * scale,
            msg=lambda m, n=name: f'{n}: {m}')
