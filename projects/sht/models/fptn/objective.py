"""FPTN, the facial pose-transfer network of SHT (Sec. 3.2, Eq. 5-8).

Eq. 5 combines, for a condition face I_con, its heatmaps H_con and target
heatmaps H_tar (generated face I_ger = G(I_con, H_con, H_tar), real target
I_tar)::

    L_PT = lambda1 * L_GAN (Eq. 6) + lambda2 * L_L1 (Eq. 7)
           + lambda3 * L_perL1 (Eq. 8)

with the min over the generator G and the max over the two discriminators
D_A (appearance: I_con || image) and D_S (shape: H_tar || image).

FPTN has no module of its own: its players (``generator``,
``discriminator_a``, ``discriminator_s``) and its loss modules
(``gan_loss``, ``perceptual_loss``) are direct children of the estimator
that trains through it (:class:`~sht.models.SHTEstimator`), so that
``MMSeparateDistributedDataParallel`` wraps each player in its own DDP. This
module builds them from the model config's ``fptn`` group and computes both
sides of Eq. 5-6 from them; every player is called through its own module
``__call__``.
"""
from typing import Dict, Mapping, Optional, Tuple

import torch
from mmpose.registry import MODELS
from torch import Tensor, nn

from ...engine.checkpoint_keys import FPTN_CHILDREN
from .generator import resize_heatmaps
from .perceptual_loss import l1_loss

#: lambda1..3 of Eq. 5 (paper Sec. 4.1)
DEFAULT_LOSS_WEIGHTS = dict(gan=0.05, l1=0.01, perceptual=0.01)
#: the players of the discriminator side (the rest trains with G)
DISCRIMINATOR_NAMES = ('discriminator_a', 'discriminator_s')
#: the keys a model config's ``fptn`` group accepts
FPTN_CFG_KEYS = ('num_keypoints', 'generator', 'discriminator', 'gan_loss',
                 'perceptual_loss', 'loss_weights')


def _with_type(cfg: Optional[Mapping], default_type: str) -> Dict:
    """A copy of ``cfg`` (or an empty config) with ``type`` defaulted."""
    cfg = dict(cfg or {})
    cfg.setdefault('type', default_type)
    return cfg


def fptn_loss_weights(loss_weights: Optional[Mapping] = None
                      ) -> Dict[str, float]:
    """lambda1..3 of Eq. 5: ``gan``, ``l1``, ``perceptual``; the paper's
    (0.05, 0.01, 0.01) for those not given."""
    weights = dict(DEFAULT_LOSS_WEIGHTS)
    unknown = set(loss_weights or {}) - set(weights)
    if unknown:
        raise KeyError(f'fptn.loss_weights accepts {sorted(weights)}, got '
                       f'unknown keys {sorted(unknown)}')
    weights.update({k: float(v) for k, v in (loss_weights or {}).items()})
    return weights


def build_fptn(cfg: Mapping,
               num_keypoints: int) -> Tuple[Dict[str, nn.Module], Dict]:
    """FPTN's players, its loss modules and lambda1..3 from ``fptn``.

    Args:
        cfg (Mapping): The model config's ``fptn`` group:
            ``generator`` (``type`` defaults to ``'PATBGenerator'``;
            ``num_keypoints`` is filled in), ``discriminator`` (shared by
            D_A and D_S; ``type`` defaults to
            ``'PoseTransferDiscriminator'``; ``in_channels`` is filled in: 6
            for D_A, K + 3 for D_S), ``gan_loss`` (Eq. 6; default
            ``'DualDiscriminatorGANLoss'``, LSGAN), ``perceptual_loss``
            (Eq. 8; default ``'VGGPerceptualL1Loss'``), ``loss_weights``
            (see :func:`fptn_loss_weights`) and optionally
            ``num_keypoints`` (checked by the estimator).
        num_keypoints (int): K, channels of the heatmaps.

    Returns:
        tuple: (``{name: module}`` for the names of ``FPTN_CHILDREN``
        (``generator``, ``discriminator_a``, ``discriminator_s``,
        ``gan_loss``, ``perceptual_loss``), the loss weights).
    """
    if 'type' in cfg:
        raise KeyError(
            f"model.fptn.type ({cfg['type']!r}) is not used: the estimator "
            'builds the generator, D_A, D_S and the losses of the fptn '
            'group as its own children; remove the type entry')
    unknown = set(cfg) - set(FPTN_CFG_KEYS)
    if unknown:
        raise KeyError(f'model.fptn accepts {list(FPTN_CFG_KEYS)}, got '
                       f'unknown keys {sorted(unknown)}')
    generator_cfg = _with_type(cfg.get('generator'), 'PATBGenerator')
    generator_cfg['num_keypoints'] = num_keypoints
    disc_cfg = _with_type(cfg.get('discriminator'),
                          'PoseTransferDiscriminator')
    children = dict(
        generator=MODELS.build(generator_cfg),
        discriminator_a=MODELS.build(dict(disc_cfg, in_channels=6)),
        discriminator_s=MODELS.build(
            dict(disc_cfg, in_channels=num_keypoints + 3)),
        gan_loss=MODELS.build(
            _with_type(cfg.get('gan_loss'), 'DualDiscriminatorGANLoss')),
        perceptual_loss=MODELS.build(
            _with_type(cfg.get('perceptual_loss'), 'VGGPerceptualL1Loss')))
    assert tuple(children) == FPTN_CHILDREN
    return children, fptn_loss_weights(cfg.get('loss_weights'))


def discriminate(discriminator_a: nn.Module, discriminator_s: nn.Module,
                 cond_face: Tensor, tgt_heatmaps: Tensor,
                 face: Tensor) -> Tuple[Tensor, Tensor]:
    """Score maps D_A(I_con || face) and D_S(H_tar || face).

    Args:
        discriminator_a (nn.Module): D_A (6 input channels), possibly under
            a distributed wrapper.
        discriminator_s (nn.Module): D_S (K + 3 input channels), likewise.
        cond_face (Tensor): I_con (N, 3, H, W).
        tgt_heatmaps (Tensor): H_tar (N, K, h, w), resized bilinearly to
            (H, W) when they differ.
        face (Tensor): Real I_tar or generated I_ger (N, 3, H, W).

    Returns:
        tuple[Tensor, Tensor]: The two score maps (N, C, H/4, W/4).
    """
    heatmaps = resize_heatmaps(tgt_heatmaps, tuple(face.shape[-2:]))
    scores_a = discriminator_a(torch.cat([cond_face, face], dim=1))
    scores_s = discriminator_s(torch.cat([heatmaps, face], dim=1))
    return scores_a, scores_s


def generator_losses(fake_face: Tensor, cond_face: Tensor,
                     tgt_heatmaps: Tensor, tgt_face: Tensor, *,
                     discriminator_a: nn.Module, discriminator_s: nn.Module,
                     gan_loss: nn.Module, perceptual_loss: nn.Module,
                     loss_weights: Mapping[str, float]) -> Dict[str, Tensor]:
    """Generator side of Eq. 5, each term weighted by its lambda (here and
    nowhere else).

    Gradient paths: the L1, perceptual and adversarial terms all reach
    ``cond_face`` and both heatmaps through I_ger (the generator) only; D_A
    and D_S see detached ``cond_face`` and ``tgt_heatmaps``. Freeze the
    discriminators' parameters around this call (the estimator does).

    Args:
        fake_face (Tensor): I_ger (N, 3, H, W).
        cond_face (Tensor): I_con (N, 3, H, W).
        tgt_heatmaps (Tensor): H_tar (N, K, h, w).
        tgt_face (Tensor): I_tar (N, 3, H, W).
        discriminator_a, discriminator_s (nn.Module): D_A and D_S.
        gan_loss (nn.Module): ``DualDiscriminatorGANLoss`` (Eq. 6).
        perceptual_loss (nn.Module): ``VGGPerceptualL1Loss`` (Eq. 8).
        loss_weights (Mapping): ``gan``, ``l1``, ``perceptual``.

    Returns:
        dict[str, Tensor]: Scalars ``loss_pt_gan`` (lambda1 * Eq. 6,
        generator side, both discriminators), ``loss_pt_l1`` (lambda2 *
        Eq. 7), ``loss_pt_perceptual`` (lambda3 * Eq. 8).
    """
    # The discriminators judge I_ger only: their other inputs (I_con, H_tar)
    # are detached, so the adversarial term reaches DHLN through the
    # generator (a face rendered in the wrong pose), never through D_S's own
    # input H_tar (D_S is trained on DHLN's heatmaps as real, so that
    # gradient would carry no landmark signal).
    scores_a, scores_s = discriminate(discriminator_a, discriminator_s,
                                      cond_face.detach(),
                                      tgt_heatmaps.detach(), fake_face)
    return dict(
        loss_pt_gan=loss_weights['gan'] *
        gan_loss.generator_loss(scores_a, scores_s),
        loss_pt_l1=loss_weights['l1'] * l1_loss(fake_face, tgt_face),
        loss_pt_perceptual=loss_weights['perceptual'] *
        perceptual_loss(fake_face, tgt_face))


def discriminator_losses(fake_face: Tensor, cond_face: Tensor,
                         tgt_heatmaps: Tensor, tgt_face: Tensor, *,
                         discriminator_a: nn.Module,
                         discriminator_s: nn.Module,
                         gan_loss: nn.Module) -> Dict[str, Tensor]:
    """Discriminator side of Eq. 6, on detached inputs: no gradient reaches
    the generator or whatever produced the condition face and heatmaps.

    The terms are not multiplied by lambda1 (as in PATN): lambda1 balances
    the generator's objective, and scaling the discriminators' own loss
    only rescales their gradients.

    Args:
        fake_face, cond_face, tgt_heatmaps, tgt_face, discriminator_a,
            discriminator_s, gan_loss: As for :func:`generator_losses`.

    Returns:
        dict[str, Tensor]: Scalars ``loss_da_real``, ``loss_ds_real``,
        ``loss_da_fake``, ``loss_ds_fake``.
    """
    cond_face = cond_face.detach()
    tgt_heatmaps = tgt_heatmaps.detach()
    real_a, real_s = discriminate(discriminator_a, discriminator_s,
                                  cond_face, tgt_heatmaps, tgt_face.detach())
    fake_a, fake_s = discriminate(discriminator_a, discriminator_s,
                                  cond_face, tgt_heatmaps, fake_face.detach())
    return gan_loss.discriminator_loss(real_a, real_s, fake_a, fake_s)
