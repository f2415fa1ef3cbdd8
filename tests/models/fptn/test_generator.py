"""PATB update rule against a NumPy computation; generator and
discriminator shapes."""
import numpy as np
import pytest
import torch

import sht  # noqa: F401  (registers the modules)
from sht.models.fptn import (PATB, PATBGenerator, PoseTransferDiscriminator,
                             pose_input)


def _np_conv3x3_reflect(x, weight, bias=None):
    """x (C, H, W), weight (O, C, 3, 3) -> (O, H, W), reflection pad 1."""
    c, h, w = x.shape
    padded = np.pad(x, ((0, 0), (1, 1), (1, 1)), mode='reflect')
    out = np.zeros((weight.shape[0], h, w))
    for o in range(weight.shape[0]):
        for i in range(h):
            for j in range(w):
                out[o, i, j] = np.sum(padded[:, i:i + 3, j:j + 3] * weight[o])
        if bias is not None:
            out[o] += bias[o]
    return out


def _np_instance_norm(x, eps=1e-5):
    mean = x.mean(axis=(1, 2), keepdims=True)
    var = x.var(axis=(1, 2), keepdims=True)
    return (x - mean) / np.sqrt(var + eps)


def _np_patb(block, x1, x2):
    """Hand computation of one PATB on a single sample (C, H, W)."""
    w = {k: v.detach().double().numpy() for k, v in block.state_dict().items()}
    img = _np_conv3x3_reflect(x1, w['image_stream.1.weight'])
    img = np.maximum(_np_instance_norm(img), 0)
    img = _np_instance_norm(
        _np_conv3x3_reflect(img, w['image_stream.5.weight']))
    pose = _np_conv3x3_reflect(x2, w['pose_stream.1.weight'])
    pose = np.maximum(_np_instance_norm(pose), 0)
    a = _np_conv3x3_reflect(pose, w['pose_stream.5.weight'],
                            w['pose_stream.5.bias'])
    x1_new = x1 + img / (1 + np.exp(-a))
    return x1_new, np.concatenate([a, x1_new], axis=0)


@pytest.mark.parametrize('first', [True, False])
def test_patb_update_rule_matches_numpy(first):
    torch.manual_seed(1)
    channels = 2
    block = PATB(channels, first=first, norm_cfg=dict(type='IN')).double()
    pose_channels = channels if first else 2 * channels
    assert block.pose_stream[1].in_channels == pose_channels
    x1 = torch.randn(1, channels, 4, 5, dtype=torch.float64)
    x2 = torch.randn(1, pose_channels, 4, 5, dtype=torch.float64)
    out1, out2 = block(x1, x2)
    exp1, exp2 = _np_patb(block, x1[0].numpy(), x2[0].numpy())
    np.testing.assert_allclose(out1[0].detach().numpy(), exp1, atol=1e-10)
    np.testing.assert_allclose(out2[0].detach().numpy(), exp2, atol=1e-10)
    assert out2.shape == (1, 2 * channels, 4, 5)


def test_pose_input_concatenates_and_resizes_bilinearly():
    cond = torch.tensor([[[[0.0, 1.0]]]])  # (1, 1, 1, 2)
    tgt = torch.tensor([[[[2.0, 6.0]]]])
    pose = pose_input(cond, tgt, (1, 4))
    # hand bilinear (half-pixel centres) of [a, b] to 4 samples:
    # a, 0.75a + 0.25b, 0.25a + 0.75b, b
    np.testing.assert_allclose(pose[0, 0, 0].numpy(), [0, 0.25, 0.75, 1])
    np.testing.assert_allclose(pose[0, 1, 0].numpy(), [2, 3, 5, 6])
    same = pose_input(cond, tgt, (1, 2))
    assert torch.equal(same, torch.cat([cond, tgt], dim=1))


def test_generator_shapes_and_range():
    torch.manual_seed(0)
    gen = PATBGenerator(num_keypoints=5, base_channels=4, num_blocks=2)
    assert len(gen.blocks) == 2
    assert gen.blocks[0].pose_stream[1].in_channels == 16
    assert gen.blocks[1].pose_stream[1].in_channels == 32
    assert gen.pose_encoder[0][1].in_channels == 10  # 2K
    face = torch.rand(2, 3, 32, 32)
    out = gen(face, torch.rand(2, 5, 16, 16), torch.rand(2, 5, 16, 16))
    assert out.shape == (2, 3, 32, 32)
    assert out.min() >= 0 and out.max() <= 1
    with pytest.raises(ValueError, match='5 keypoints'):
        gen(face, torch.rand(2, 4, 16, 16), torch.rand(2, 4, 16, 16))
    with pytest.raises(ValueError, match='multiples of 4'):
        gen(torch.rand(1, 3, 30, 30), torch.rand(1, 5, 8, 8),
            torch.rand(1, 5, 8, 8))


def test_generator_default_is_patn_sized():
    gen = PATBGenerator(num_keypoints=68)
    assert len(gen.blocks) == 9
    assert gen.blocks[0].image_stream[1].in_channels == 256


def test_discriminator_outputs_a_map():
    disc = PoseTransferDiscriminator(
        in_channels=6, base_channels=4, num_res_blocks=3)
    assert sum(
        type(m).__name__ == 'ResidualBlock' for m in disc.modules()) == 3
    scores = disc(torch.rand(2, 6, 32, 32))
    assert scores.shape == (2, 1, 8, 8)
    patn_style = PoseTransferDiscriminator(
        in_channels=6, base_channels=4, out_channels=None)
    assert patn_style(torch.rand(1, 6, 16, 16)).shape == (1, 16, 4, 4)
    with pytest.raises(ValueError, match='6 input channels'):
        disc(torch.rand(1, 5, 16, 16))


# ------------------------------------------------------------ warp option
def test_warp_image_identity_and_shift():
    from sht.models.fptn.warp_head import warp_image
    img = torch.rand(2, 3, 8, 8)
    torch.testing.assert_close(warp_image(img, torch.zeros(2, 2, 8, 8)), img)
    # flow of +1 pixel in x (2 / W normalised units): out(x) = img(x + 1)
    flow = torch.zeros(2, 2, 8, 8)
    flow[:, 0] = 2.0 / 8
    out = warp_image(img, flow)
    torch.testing.assert_close(out[..., :-1], img[..., 1:])
    torch.testing.assert_close(out[..., -1], img[..., -1])  # border


def test_warp_generator_starts_near_a_copy_of_the_condition_face():
    """Zero flow at the start: the output is the blend sigmoid(2) * I_con +
    (1 - sigmoid(2)) * decoded, and gradient reaches both heatmaps."""
    torch.manual_seed(0)
    gen = PATBGenerator(
        num_keypoints=3, base_channels=4, num_blocks=1, warp=True)
    gen.init_weights()
    cond = torch.rand(2, 3, 16, 16)
    hm_c = torch.rand(2, 3, 8, 8, requires_grad=True)
    hm_t = torch.rand(2, 3, 8, 8, requires_grad=True)
    out = gen(cond, hm_c, hm_t)
    gen.warp_head = None
    decoded = gen(cond, hm_c, hm_t)
    m = torch.sigmoid(torch.tensor(2.0))
    torch.testing.assert_close(out, m * cond + (1 - m) * decoded)
    out.sum().backward()
    assert hm_c.grad.abs().sum() > 0 and hm_t.grad.abs().sum() > 0
