"""DHLN building blocks against independent NumPy / hand computations.

Eq. 1 (FUBlock1), Eq. 2 (FUBlock2), Eq. 3 (gradient map), the Eq. 4 image
losses, the bicubic degradation, and the paper's parameter counts.
"""
import numpy as np
import pytest
import torch
from PIL import Image

from sht.models import (DHLN, FUBlock1, FUBlock2, GradientL1Loss,
                        HeatmapSquaredL2Loss, PixelL1Loss, bicubic_degrade,
                        gradient_map)
from sht.models.backbones import Hourglass, SRTail


# ------------------------------------------------------------ NumPy refs
def np_conv2d(x, w, b):
    """Zero-padded 'same' cross-correlation. x (C,H,W), w (O,C,k,k)."""
    k = w.shape[-1]
    pad = k // 2
    xp = np.pad(x, ((0, 0), (pad, pad), (pad, pad)))
    _, h, wd = x.shape
    out = np.zeros((w.shape[0], h, wd))
    for o in range(w.shape[0]):
        for i in range(k):
            for j in range(k):
                out[o] += np.einsum('chw,c->hw', xp[:, i:i + h, j:j + wd],
                                    w[o, :, i, j])
        out[o] += b[o]
    return out


def np_sigmoid(x):
    return 1.0 / (1.0 + np.exp(-x))


def np_gradient_map(img, eps=1e-6):
    """Eq. 3 per channel; img (C, H, W); zero padding outside."""
    p = np.pad(img, ((0, 0), (1, 1), (1, 1)))
    gx = p[:, 1:-1, 2:] - p[:, 1:-1, :-2]
    gy = p[:, 2:, 1:-1] - p[:, :-2, 1:-1]
    return np.sqrt(gx**2 + gy**2 + eps)


def params_of(conv):
    return (conv.weight.detach().double().numpy(),
            conv.bias.detach().double().numpy())


def run_fusion_block(block_type, seed, height, width):
    """A float64 ``block_type`` (3 pose, 2 SR channels, seeded init) on
    random P and Q of ``height`` x ``width``: the block and P, Q and its
    output as NumPy arrays (one sample)."""
    torch.manual_seed(seed)
    block = block_type(pose_channels=3, sr_channels=2).double()
    p = torch.randn(1, 3, height, width, dtype=torch.float64)
    q = torch.randn(1, 2, height, width, dtype=torch.float64)
    out = block(p, q).detach().numpy()[0]
    return block, p.numpy()[0], q.numpy()[0], out


# ------------------------------------------------------------------ Eq. 1
def test_fublock1_matches_numpy():
    block, pn, qn, out = run_fusion_block(FUBlock1, 0, 5, 4)

    w1, b1 = params_of(block.rb.body[0])
    w2, b2 = params_of(block.rb.body[2])
    ws, bs = params_of(block.rb.skip)
    rb = np_conv2d(np.maximum(np_conv2d(pn, w1, b1), 0), w2, b2) + \
        np_conv2d(pn, ws, bs)
    expected = qn + qn * np_sigmoid(rb)
    np.testing.assert_allclose(out, expected, rtol=1e-10, atol=1e-10)


def test_fublock1_hand_computation():
    """Zero weights: RB(P) = b2 + b_skip, so Q' = Q (1 + sigmoid(b2 + bs))."""
    block = FUBlock1(pose_channels=2, sr_channels=1)
    for m in (block.rb.body[0], block.rb.body[2], block.rb.skip):
        torch.nn.init.zeros_(m.weight)
        torch.nn.init.zeros_(m.bias)
    block.rb.body[2].bias.data.fill_(0.5)
    block.rb.skip.bias.data.fill_(-0.5)  # RB(P) = 0 -> gate = 1/2
    q = torch.tensor([[[[2.0, -4.0], [0.0, 1.0]]]])
    out = block(torch.randn(1, 2, 2, 2), q)
    assert torch.allclose(out, q * 1.5)


# ------------------------------------------------------------------ Eq. 2
def test_fublock2_matches_numpy():
    block, pn, qn, out = run_fusion_block(FUBlock2, 1, 4, 6)
    w, b = params_of(block.conv)
    cat = np.concatenate([pn, qn], 0)
    np.testing.assert_allclose(
        out, pn + np_conv2d(cat, w, b), rtol=1e-10, atol=1e-10)


def test_fublock2_hand_computation():
    """A centre-tap kernel: P' = P + (P_0 + 2 Q'_0) on channel 0."""
    block = FUBlock2(pose_channels=1, sr_channels=1)
    torch.nn.init.zeros_(block.conv.weight)
    torch.nn.init.zeros_(block.conv.bias)
    block.conv.weight.data[0, 0, 1, 1] = 1.0
    block.conv.weight.data[0, 1, 1, 1] = 2.0
    p = torch.tensor([[[[1.0, 2.0], [3.0, 4.0]]]])
    q = torch.tensor([[[[0.5, 0.0], [-1.0, 1.0]]]])
    expected = torch.tensor([[[[3.0, 4.0], [4.0, 10.0]]]])
    assert torch.allclose(block(p, q), expected)


def test_fusion_blocks_reject_mismatched_sizes():
    with pytest.raises(ValueError, match='same spatial size'):
        FUBlock1(4, 2)(torch.zeros(1, 4, 8, 8), torch.zeros(1, 2, 4, 4))
    with pytest.raises(ValueError, match='same spatial size'):
        FUBlock2(4, 2)(torch.zeros(1, 4, 8, 8), torch.zeros(1, 2, 4, 4))


# ------------------------------------------------------------------ Eq. 3
def test_gradient_map_matches_numpy():
    rng = np.random.default_rng(0)
    img = rng.random((2, 3, 7, 9))
    out = gradient_map(torch.from_numpy(img)).numpy()
    for n in range(2):
        np.testing.assert_allclose(
            out[n], np_gradient_map(img[n]), rtol=1e-12, atol=1e-12)


def test_gradient_map_hand_values():
    """A horizontal ramp I(x, y) = x on a 4x4 image (zero outside)."""
    ramp = torch.arange(4, dtype=torch.float64).repeat(4, 1)[None, None]
    g = gradient_map(ramp, eps=0.0)[0, 0]
    # interior row 1: gx = (x+1)-(x-1) = 2, gy = 0; borders see the zeros
    assert torch.allclose(g[1], torch.tensor([1.0, 2.0, 2.0, 2.0],
                                             dtype=torch.float64))
    # (row 0, x=3): gx = 0 - 2 = -2, gy = I(3, 1) - 0 = 3 -> sqrt(13)
    assert g[0, 3].item() == pytest.approx(13**0.5)
    # flat image: only eps remains in the interior
    flat = gradient_map(torch.ones(1, 1, 5, 5))
    assert torch.allclose(flat[0, 0, 1:-1, 1:-1],
                          torch.full((3, 3), 1e-3), atol=1e-7)


def test_image_losses_match_numpy():
    """The loss convention: each image's L1 norm, averaged over the batch."""
    rng = np.random.default_rng(1)
    a, b = rng.random((2, 3, 6, 5)), rng.random((2, 3, 6, 5))
    ta, tb = torch.from_numpy(a), torch.from_numpy(b)
    per_image_grad = [
        np.abs(np_gradient_map(a[n]) - np_gradient_map(b[n])).sum()
        for n in range(2)
    ]
    assert GradientL1Loss()(ta, tb).item() == pytest.approx(
        np.mean(per_image_grad))
    per_image = [np.abs(a[n] - b[n]).sum() for n in range(2)]
    assert PixelL1Loss()(ta, tb).item() == pytest.approx(np.mean(per_image))
    w = torch.tensor([1.0, 0.0], dtype=torch.float64)
    assert PixelL1Loss()(ta, tb, w).item() == pytest.approx(
        per_image[0] / 2)
    assert GradientL1Loss()(ta, tb, w).item() == pytest.approx(
        per_image_grad[0] / 2)
    with pytest.raises(ValueError, match='shapes differ'):
        PixelL1Loss()(ta, tb[:, :, :4])


def test_heatmap_loss_is_squared_norm_per_image():
    """Eq. 4's ||H_i - H_i*||_2^2 summed over keypoints and pixels, with
    keypoint weights, averaged over the batch (numpy reference)."""
    rng = np.random.default_rng(4)
    p, t = rng.random((3, 5, 4, 4)), rng.random((3, 5, 4, 4))
    w = rng.integers(0, 2, (3, 5)).astype(np.float64)
    expected = np.mean([((p[n] - t[n])**2 * w[n][:, None, None]).sum()
                        for n in range(3)])
    loss = HeatmapSquaredL2Loss()
    assert loss(torch.from_numpy(p), torch.from_numpy(t),
                torch.from_numpy(w)).item() == pytest.approx(expected)
    assert loss(torch.from_numpy(p), torch.from_numpy(t)).item() == \
        pytest.approx(np.mean([((p[n] - t[n])**2).sum() for n in range(3)]))
    with pytest.raises(ValueError, match='keypoint_weights'):
        loss(torch.from_numpy(p), torch.from_numpy(t), torch.ones(3, 4))


# ---------------------------------------------------------- degradation
def test_bicubic_degrade_matches_pil():
    """Antialiased bicubic down-sampling agrees with PIL's BICUBIC."""
    rng = np.random.default_rng(2)
    hr = rng.random((32, 32)).astype(np.float32)
    ours = bicubic_degrade(torch.from_numpy(hr)[None, None], 8)[0, 0]
    pil = np.asarray(
        Image.fromarray(hr, mode='F').resize((8, 8), Image.BICUBIC))
    np.testing.assert_allclose(
        ours.numpy(), np.clip(pil, 0, 1), atol=2e-3)


def test_bicubic_degrade_shapes_and_range():
    hr = torch.rand(2, 3, 128, 128)
    assert bicubic_degrade(hr, 16, 64).shape == (2, 3, 64, 64)
    assert bicubic_degrade(hr, 16).shape == (2, 3, 16, 16)
    lr = bicubic_degrade(torch.rand(1, 3, 256, 256), 64)
    assert lr.shape == (1, 3, 64, 64)
    assert lr.min() >= 0 and lr.max() <= 1
    const = bicubic_degrade(torch.full((1, 3, 32, 32), 0.25), 4, 16)
    assert torch.allclose(const, torch.full_like(const, 0.25), atol=1e-6)
    with pytest.raises(ValueError, match='N, C, H, W'):
        bicubic_degrade(torch.rand(3, 32, 32), 8)


# ------------------------------------------------------------- SR, hourglass
def test_sr_tail_scales_and_residual():
    tail = SRTail(channels=4, scale=4)
    for m in tail.modules():
        if isinstance(m, torch.nn.Conv2d):
            torch.nn.init.zeros_(m.weight)
            torch.nn.init.zeros_(m.bias)
    lr = torch.rand(1, 3, 8, 8)
    out = tail(torch.randn(1, 4, 8, 8), lr)
    # zero convs: output is exactly the bicubic-upsampled input
    expected = torch.nn.functional.interpolate(
        lr, scale_factor=4, mode='bicubic', align_corners=False)
    assert out.shape == (1, 3, 32, 32)
    assert torch.allclose(out, expected)
    with pytest.raises(ValueError, match='power of 2'):
        SRTail(4, scale=3)


def test_hourglass_shape_and_divisibility():
    hg = Hourglass(depth=2, channels=8)
    assert hg(torch.rand(1, 8, 16, 16)).shape == (1, 8, 16, 16)
    with pytest.raises(ValueError, match='divisible'):
        DHLN(num_stacks=1, stack_channels=8, hourglass_depth=3)(
            torch.rand(1, 3, 12, 12))


# ------------------------------------------------------- paper parameters
def count(module) -> int:
    return sum(p.numel() for p in module.parameters())


@pytest.mark.parametrize('kwargs,paper', [
    (dict(with_sr_stream=False, sr_scale=4), 16.41e6),  # SHN (256 -> 64)
    (dict(sr_scale=2), 22.72e6),  # DHLN (CelebA 16 -> 128 setting)
])
def test_paper_parameter_counts(kwargs, paper):
    n = count(DHLN(num_keypoints=68, **kwargs))
    assert abs(n - paper) / paper < 0.01, n
