"""Eq. 6: the two-discriminator adversarial term of FPTN.

Eq. 6 scores real pairs with log[D_A(I_con || I_tar) * D_S(H_tar || I_tar)]
and generated ones with log[(1 - D_A(I_con || I_ger)) * (1 - D_S(H_tar ||
I_ger))]. With D = sigmoid(logit) the product splits into a sum,
log[D_A * D_S] = log D_A + log D_S, so each discriminator contributes one
binary cross-entropy term (computed on logits, averaged over the whole score
map and the batch).

- Discriminator side (maximises Eq. 6; we minimise its negative):
  BCE(D_A(real), 1) + BCE(D_S(real), 1)
  + BCE(D_A(fake), 0) + BCE(D_S(fake), 0).
- Generator side (minimises Eq. 6): the non-saturating form used by PATN and
  pix2pix, BCE(D_A(fake), 1) + BCE(D_S(fake), 1) = -log D_A - log D_S.

``gan_type='lsgan'`` replaces every BCE(x, t) by the mean squared error
(x - t)^2 (least-squares GAN, PATN's default).
"""
from typing import Dict

import torch
import torch.nn.functional as F
from mmpose.registry import MODELS
from torch import Tensor, nn

GAN_TYPES = ('vanilla', 'lsgan')


def gan_target_loss(scores: Tensor, target_is_real: bool,
                    gan_type: str) -> Tensor:
    """Loss of a discriminator score map against the real/fake label.

    Args:
        scores (Tensor): Raw discriminator output (N, C, h, w) (logits for
            ``'vanilla'``).
        target_is_real (bool): Label 1 (real) or 0 (fake).
        gan_type (str): ``'vanilla'`` (binary cross-entropy with logits,
            i.e. -log sigmoid(x) for label 1 and -log(1 - sigmoid(x)) for
            label 0) or ``'lsgan'`` ((x - label)^2).

    Returns:
        Tensor: Scalar, the mean over every element of the map.
    """
    target = torch.full_like(scores, 1.0 if target_is_real else 0.0)
    if gan_type == 'vanilla':
        return F.binary_cross_entropy_with_logits(scores, target)
    if gan_type == 'lsgan':
        return F.mse_loss(scores, target)
    raise ValueError(f'gan_type must be one of {GAN_TYPES}, got {gan_type!r}')


@MODELS.register_module()
class DualDiscriminatorGANLoss(nn.Module):
    """Eq. 6 for the appearance (D_A) and shape (D_S) discriminators.

    Args:
        gan_type (str): ``'lsgan'`` or ``'vanilla'``. Default: ``'lsgan'``.
    """

    def __init__(self, gan_type: str = 'lsgan') -> None:
        super().__init__()
        if gan_type not in GAN_TYPES:
            raise ValueError(
                f'gan_type must be one of {GAN_TYPES}, got {gan_type!r}')
        self.gan_type = gan_type

    def discriminator_loss(self, real_scores_a: Tensor, real_scores_s: Tensor,
                           fake_scores_a: Tensor,
                           fake_scores_s: Tensor) -> Dict[str, Tensor]:
        """Discriminator side of Eq. 6 (negated, to be minimised).

        Args:
            real_scores_a (Tensor): D_A(I_con || I_tar), (N, C, h, w).
            real_scores_s (Tensor): D_S(H_tar || I_tar), (N, C, h, w).
            fake_scores_a (Tensor): D_A(I_con || I_ger), (N, C, h, w).
            fake_scores_s (Tensor): D_S(H_tar || I_ger), (N, C, h, w).

        Returns:
            dict[str, Tensor]: ``loss_da_real``, ``loss_ds_real``,
            ``loss_da_fake``, ``loss_ds_fake``; their sum is the loss.
        """
        return dict(
            loss_da_real=gan_target_loss(real_scores_a, True, self.gan_type),
            loss_ds_real=gan_target_loss(real_scores_s, True, self.gan_type),
            loss_da_fake=gan_target_loss(fake_scores_a, False, self.gan_type),
            loss_ds_fake=gan_target_loss(fake_scores_s, False, self.gan_type),
        )

    def generator_loss(self, fake_scores_a: Tensor,
                       fake_scores_s: Tensor) -> Tensor:
        """Generator side of Eq. 6 (non-saturating).

        Args:
            fake_scores_a (Tensor): D_A(I_con || I_ger), (N, C, h, w).
            fake_scores_s (Tensor): D_S(H_tar || I_ger), (N, C, h, w).

        Returns:
            Tensor: Scalar, the D_A term plus the D_S term.
        """
        return (gan_target_loss(fake_scores_a, True, self.gan_type) +
                gan_target_loss(fake_scores_s, True, self.gan_type))
