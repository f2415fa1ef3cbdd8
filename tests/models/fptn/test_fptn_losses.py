"""Eq. 5-8 of FPTN against hand (NumPy) computations."""
import logging
from types import SimpleNamespace
from unittest import mock

import numpy as np
import pytest
import torch
import torchvision

import sht  # noqa: F401  (registers the modules)
from sht.models.fptn import (DualDiscriminatorGANLoss, VGGPerceptualL1Loss,
                             build_fptn, discriminator_losses,
                             fptn_loss_weights, gan_target_loss,
                             generator_losses, l1_loss)
from helpers.tiny_models import tiny_sht_cfg

RNG = np.random.default_rng(0)


def _sigmoid(x):
    return 1.0 / (1.0 + np.exp(-x))


def _maps(*shape):
    return RNG.normal(0.0, 1.5, size=shape)


def _t(array):
    return torch.tensor(array, dtype=torch.float64)


# ---------------------------------------------------------------- Eq. 6
def test_gan_target_loss_vanilla_is_log_of_sigmoid():
    logits = np.array([[[[-2.0, 0.0], [0.5, 3.0]]]])
    real = gan_target_loss(_t(logits), True, 'vanilla').item()
    fake = gan_target_loss(_t(logits), False, 'vanilla').item()
    np.testing.assert_allclose(real, np.mean(-np.log(_sigmoid(logits))))
    np.testing.assert_allclose(fake,
                               np.mean(-np.log(1.0 - _sigmoid(logits))))
    # hand value at logit 0: -log(0.5)
    zero = gan_target_loss(torch.zeros(1, 1, 1, 1), True, 'vanilla')
    assert zero.item() == pytest.approx(np.log(2.0), rel=1e-6)


def test_gan_target_loss_lsgan_is_squared_error():
    scores = np.array([[[[-1.0, 0.0], [0.5, 2.0]]]])
    real = gan_target_loss(_t(scores), True, 'lsgan').item()
    fake = gan_target_loss(_t(scores), False, 'lsgan').item()
    # hand: ((-2)^2 + 1 + 0.25 + 1) / 4 and (1 + 0 + 0.25 + 4) / 4
    assert real == pytest.approx(6.25 / 4)
    assert fake == pytest.approx(5.25 / 4)
    with pytest.raises(ValueError, match='gan_type'):
        gan_target_loss(_t(scores), True, 'wgan')


def test_eq6_vanilla_both_sides_product_form():
    loss = DualDiscriminatorGANLoss(gan_type='vanilla')
    ra, rs, fa, fs = (_maps(2, 1, 3, 3) for _ in range(4))
    d_terms = loss.discriminator_loss(_t(ra), _t(rs), _t(fa), _t(fs))
    assert set(d_terms) == {
        'loss_da_real', 'loss_ds_real', 'loss_da_fake', 'loss_ds_fake'
    }
    d_total = sum(d_terms.values()).item()
    # Eq. 6, written with the product of the two discriminators: the
    # discriminator maximises it, so its loss is the negative.
    eq6 = (np.mean(np.log(_sigmoid(ra) * _sigmoid(rs))) +
           np.mean(np.log((1 - _sigmoid(fa)) * (1 - _sigmoid(fs)))))
    np.testing.assert_allclose(d_total, -eq6, rtol=1e-10)
    np.testing.assert_allclose(d_terms['loss_da_fake'].item(),
                               -np.mean(np.log(1 - _sigmoid(fa))))
    # Generator side, non-saturating: -log[D_A(fake) * D_S(fake)].
    g_total = loss.generator_loss(_t(fa), _t(fs)).item()
    np.testing.assert_allclose(
        g_total, -np.mean(np.log(_sigmoid(fa) * _sigmoid(fs))), rtol=1e-10)


def test_eq6_lsgan_both_sides():
    loss = DualDiscriminatorGANLoss()  # LSGAN is the default
    assert loss.gan_type == 'lsgan'
    ra, rs, fa, fs = (_maps(2, 4, 2, 2) for _ in range(4))
    d_total = sum(
        loss.discriminator_loss(_t(ra), _t(rs), _t(fa), _t(fs)).values())
    expected = (np.mean((ra - 1)**2) + np.mean((rs - 1)**2) +
                np.mean(fa**2) + np.mean(fs**2))
    np.testing.assert_allclose(d_total.item(), expected, rtol=1e-10)
    g_total = loss.generator_loss(_t(fa), _t(fs)).item()
    np.testing.assert_allclose(
        g_total, np.mean((fa - 1)**2) + np.mean((fs - 1)**2), rtol=1e-10)


# ---------------------------------------------------------------- Eq. 7
def _per_image_l1(a: np.ndarray, b: np.ndarray) -> float:
    """The loss convention, in numpy: L1 norm of each image, batch mean."""
    return float(np.mean([np.abs(x - y).sum() for x, y in zip(a, b)]))


def test_eq7_l1_is_per_image_norm_batch_mean():
    a, b = RNG.random((2, 3, 4, 4)), RNG.random((2, 3, 4, 4))
    np.testing.assert_allclose(
        l1_loss(_t(a), _t(b)).item(), _per_image_l1(a, b), rtol=1e-12)
    # hand: images |0.25 - 1| + |0.5 - 0.5| = 0.75 and |0 - 1| + 0 = 1
    assert l1_loss(torch.tensor([[0.25, 0.5], [0.0, 0.0]]),
                   torch.tensor([[1.0, 0.5], [1.0, 0.0]])).item() == \
        pytest.approx(0.875)


# ---------------------------------------------------------------- Eq. 8
@pytest.fixture(scope='module')
def vgg19_relu1_2():
    """torchvision's own vgg19().features[:4], random weights, seeded."""
    torch.manual_seed(3)
    return torchvision.models.vgg19(weights=None).features[:4].eval()


def _direct_perceptual(features, gen, tgt):
    mean = torch.tensor([0.485, 0.456, 0.406]).view(1, 3, 1, 1)
    std = torch.tensor([0.229, 0.224, 0.225]).view(1, 3, 1, 1)
    with torch.no_grad():
        phi_g = features((gen - mean) / std).numpy()
        phi_t = features((tgt - mean) / std).numpy()
    return _per_image_l1(phi_g, phi_t)


@pytest.mark.parametrize('prefix', ['features.', ''])
def test_eq8_matches_torchvision_vgg19_relu1_2(tmp_path, vgg19_relu1_2,
                                               prefix):
    path = tmp_path / 'vgg19.pth'
    torch.save({
        prefix + k: v
        for k, v in vgg19_relu1_2.state_dict().items()
    }, path)
    loss = VGGPerceptualL1Loss(vgg_weights=str(path))
    gen, tgt = torch.rand(2, 3, 12, 12), torch.rand(2, 3, 12, 12)
    expected = _direct_perceptual(vgg19_relu1_2, gen, tgt)
    np.testing.assert_allclose(loss(gen, tgt).item(), expected, rtol=1e-5)
    # frozen and in eval mode even after .train()
    loss.train()
    assert not loss.features.training
    assert all(not p.requires_grad for p in loss.parameters())
    # the gradient reaches the generated image
    gen.requires_grad_(True)
    loss(gen, tgt).backward()
    assert gen.grad.abs().sum() > 0


def test_eq8_bad_weight_file_names_the_file(tmp_path):
    """The file is read when training starts (or at the first call), so a
    missing or wrong file is named then; building alone reads nothing."""
    path = tmp_path / 'not_vgg.pth'
    torch.save({'conv.weight': torch.zeros(1)}, path)
    loss = VGGPerceptualL1Loss(vgg_weights=str(path))
    with pytest.raises(KeyError, match='not_vgg.pth'):
        loss.train()
    missing = VGGPerceptualL1Loss(vgg_weights=str(tmp_path / 'missing.pth'))
    missing.eval()  # inference never needs the file
    with pytest.raises(FileNotFoundError, match='missing.pth'):
        missing(torch.rand(1, 3, 4, 4), torch.rand(1, 3, 4, 4))


def test_eq8_random_weights_log_a_warning():
    with mock.patch('sht.models.fptn.perceptual_loss.print_log') as log:
        VGGPerceptualL1Loss(vgg_weights=None).train().train()
    assert log.call_count == 1
    message = log.call_args.args[0]
    assert 'RANDOM' in message and 'vgg_weights' in message
    assert log.call_args.kwargs['level'] == logging.WARNING


# ---------------------------------------------------------------- Eq. 5
def _tiny_fptn(**kwargs) -> SimpleNamespace:
    """FPTN's children (as the estimator builds them) and lambda1..3."""
    torch.manual_seed(0)
    children, weights = build_fptn(
        dict(
            generator=dict(base_channels=4, num_blocks=1),
            discriminator=dict(base_channels=4, num_res_blocks=1),
            **kwargs),
        num_keypoints=3)
    return SimpleNamespace(loss_weights=weights, **children)


def _generator_step(fptn, cond, cond_hm, tgt_hm, tgt):
    """I_ger and the generator-side losses of Eq. 5."""
    fake = fptn.generator(cond, cond_hm, tgt_hm)
    losses = generator_losses(
        fake, cond, tgt_hm, tgt,
        discriminator_a=fptn.discriminator_a,
        discriminator_s=fptn.discriminator_s,
        gan_loss=fptn.gan_loss,
        perceptual_loss=fptn.perceptual_loss,
        loss_weights=fptn.loss_weights)
    return losses, fake


def _discriminators(fptn):
    return fptn.discriminator_a, fptn.discriminator_s


def _set_discriminators_trainable(fptn, trainable: bool) -> None:
    for net in _discriminators(fptn):
        net.requires_grad_(trainable)


def test_eq5_generator_loss_is_weighted_sum_of_eq6_7_8():
    fptn = _tiny_fptn(
        gan_loss=dict(gan_type='vanilla'),
        loss_weights=dict(gan=0.5, l1=2.0, perceptual=3.0))
    cond, tgt = torch.rand(2, 3, 16, 16), torch.rand(2, 3, 16, 16)
    cond_hm, tgt_hm = torch.rand(2, 3, 8, 8), torch.rand(2, 3, 8, 8)
    losses, fake = _generator_step(fptn, cond, cond_hm, tgt_hm, tgt)
    assert fake.shape == (2, 3, 16, 16)
    assert fake.min() >= 0 and fake.max() <= 1
    with torch.no_grad():
        # D_S sees the target heatmaps resized to the face size
        hm_up = torch.nn.functional.interpolate(
            tgt_hm, size=(16, 16), mode='bilinear', align_corners=False)
        sa = fptn.discriminator_a(torch.cat([cond, fake], 1)).numpy()
        ss = fptn.discriminator_s(torch.cat([hm_up, fake], 1)).numpy()
        perceptual = _per_image_l1(
            fptn.perceptual_loss.relu1_2(fake).numpy(),
            fptn.perceptual_loss.relu1_2(tgt).numpy())
    # Eq. 6's expectation: the mean over the score maps and the batch
    gan = -np.mean(np.log(_sigmoid(sa))) - np.mean(np.log(_sigmoid(ss)))
    l1 = _per_image_l1(fake.detach().numpy(), tgt.numpy())
    np.testing.assert_allclose(losses['loss_pt_gan'].item(), 0.5 * gan,
                               rtol=1e-5)
    np.testing.assert_allclose(losses['loss_pt_l1'].item(), 2.0 * l1,
                               rtol=1e-5)
    np.testing.assert_allclose(losses['loss_pt_perceptual'].item(),
                               3.0 * perceptual, rtol=1e-5)


def test_paper_loss_weights_are_the_default():
    assert _tiny_fptn().loss_weights == dict(
        gan=0.05, l1=0.01, perceptual=0.01)
    assert fptn_loss_weights(dict(l1=1)) == dict(
        gan=0.05, l1=1.0, perceptual=0.01)
    with pytest.raises(KeyError, match='unknown'):
        _tiny_fptn(loss_weights=dict(adv=1.0))


def test_fptn_group_rejects_unknown_keys_and_a_type():
    with pytest.raises(KeyError, match='type entry'):
        _tiny_fptn(type='FPTN')
    with pytest.raises(KeyError, match="unknown keys \\['init_cfg'\\]"):
        _tiny_fptn(init_cfg=dict(type='Normal'))


def test_discriminator_loss_is_detached_from_its_inputs():
    fptn = _tiny_fptn()
    cond = torch.rand(2, 3, 16, 16, requires_grad=True)
    fake = torch.rand(2, 3, 16, 16, requires_grad=True)
    tgt_hm = torch.rand(2, 3, 8, 8, requires_grad=True)
    d_losses = discriminator_losses(
        fake, cond, tgt_hm, torch.rand(2, 3, 16, 16),
        discriminator_a=fptn.discriminator_a,
        discriminator_s=fptn.discriminator_s,
        gan_loss=fptn.gan_loss)
    sum(d_losses.values()).backward()
    assert cond.grad is None and fake.grad is None and tgt_hm.grad is None
    grads = [p.grad for p in fptn.discriminator_a.parameters()]
    assert all(g is not None for g in grads)
    assert all(p.grad is None for p in fptn.generator.parameters())


class _ConstantGenerator(torch.nn.Module):
    """A generator whose face ignores its inputs (a learned image)."""

    def __init__(self) -> None:
        super().__init__()
        self.face = torch.nn.Parameter(torch.rand(1, 3, 16, 16))

    def forward(self, cond_face, cond_heatmaps, tgt_heatmaps):
        return self.face.expand(cond_face.shape[0], -1, -1, -1)


def _grad_inputs(fptn, term: str):
    cond = torch.rand(2, 3, 16, 16, requires_grad=True)
    cond_hm = torch.rand(2, 3, 8, 8, requires_grad=True)
    tgt_hm = torch.rand(2, 3, 8, 8, requires_grad=True)
    losses, _ = _generator_step(fptn, cond, cond_hm, tgt_hm,
                                torch.rand(2, 3, 16, 16))
    losses[term].backward()
    return cond.grad, cond_hm.grad, tgt_hm.grad


@pytest.mark.parametrize('term', ['loss_pt_gan', 'loss_pt_l1'])
def test_generator_terms_reach_the_inputs_only_through_the_generator(term):
    """Item 3 of the design: D_A / D_S see I_con and H_tar detached on the
    generator step, so with a generator that ignores its inputs no term
    sends gradient to I_con, H_con or H_tar (nor to the discriminators)."""
    fptn = _tiny_fptn()
    fptn.generator = _ConstantGenerator()
    _set_discriminators_trainable(fptn, False)
    assert _grad_inputs(fptn, term) == (None, None, None)
    assert fptn.generator.face.grad.abs().sum() > 0  # the term trains G
    assert all(p.grad is None for net in _discriminators(fptn)
               for p in net.parameters())
    _set_discriminators_trainable(fptn, True)


@pytest.mark.parametrize('term', ['loss_pt_gan', 'loss_pt_l1',
                                  'loss_pt_perceptual'])
def test_generator_terms_train_the_heatmaps_through_the_generator(term):
    """With the real PATB generator every generator-side term reaches the
    condition face and both heatmaps (the path that trains DHLN in SHT)."""
    fptn = _tiny_fptn()
    grads = _grad_inputs(fptn, term)
    assert all(g is not None and g.abs().sum() > 0 for g in grads)


def test_gan_term_gradient_equals_the_path_through_i_ger():
    """d loss_pt_gan / d H_tar equals the chain rule through I_ger alone:
    (d loss / d I_ger, with D's inputs fixed) pulled back by the generator.
    """
    fptn = _tiny_fptn(loss_weights=dict(gan=1.0, l1=0.0, perceptual=0.0))
    _set_discriminators_trainable(fptn, False)
    cond = torch.rand(2, 3, 16, 16)
    cond_hm = torch.rand(2, 3, 8, 8)
    tgt_hm = torch.rand(2, 3, 8, 8, requires_grad=True)
    losses, _ = _generator_step(fptn, cond, cond_hm, tgt_hm,
                                torch.rand(2, 3, 16, 16))
    (ours, ) = torch.autograd.grad(losses['loss_pt_gan'], tgt_hm)
    # independent: the D scores as a function of a free image x, then
    # x = G(...) (vector-Jacobian product through the generator only)
    fake = fptn.generator(cond, cond_hm, tgt_hm)
    x = fake.detach().requires_grad_(True)
    hm_up = torch.nn.functional.interpolate(
        tgt_hm.detach(), size=(16, 16), mode='bilinear', align_corners=False)
    score_a = fptn.discriminator_a(torch.cat([cond, x], 1))
    score_s = fptn.discriminator_s(torch.cat([hm_up, x], 1))
    gan = ((score_a - 1)**2).mean() + ((score_s - 1)**2).mean()
    (d_x, ) = torch.autograd.grad(gan, x)
    (expected, ) = torch.autograd.grad(fake, tgt_hm, grad_outputs=d_x)
    torch.testing.assert_close(ours, expected, rtol=1e-5, atol=1e-8)
    _set_discriminators_trainable(fptn, True)


def test_init_weights_leaves_vgg_alone():
    """The estimator's init_weights gives the players PATN's N(0, 0.02)
    convs (each player's own init_weights) and leaves the VGG alone."""
    from mmpose.registry import MODELS
    torch.manual_seed(0)
    model = MODELS.build(tiny_sht_cfg(train_cfg=dict()))
    before = {
        k: v.clone()
        for k, v in model.perceptual_loss.features.state_dict().items()
    }
    model.init_weights()
    for k, v in model.perceptual_loss.features.state_dict().items():
        assert torch.equal(v, before[k])
    for conv in (model.generator.decoder[-2],
                 model.discriminator_a.layers[1].body[1],
                 model.discriminator_s.layers[-1]):
        assert conv.weight.std().item() == pytest.approx(0.02, rel=0.5)
