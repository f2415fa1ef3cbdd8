"""FPTN, the facial pose-transfer network of SHT (Sec. 3.2, Eq. 5-8).

Eq. 5 combines, for a condition face I_con, its heatmaps H_con and target
heatmaps H_tar (generated face I_ger = G(I_con, H_con, H_tar), real target
I_tar)::

    L_PT = lambda1 * L_GAN (Eq. 6) + lambda2 * L_L1 (Eq. 7)
           + lambda3 * L_perL1 (Eq. 8)

with the min over the generator and the max over the two discriminators
D_A (appearance: I_con || image) and D_S (shape: H_tar || image). FPTN is a
training-only module: inference builds neither it nor its discriminators.
"""
from typing import Dict, Optional, Tuple

import torch
from mmengine.model import BaseModule
from mmpose.registry import MODELS
from torch import Tensor, nn

from .generator import resize_heatmaps
from .perceptual_loss import l1_loss

DEFAULT_LOSS_WEIGHTS = dict(gan=0.05, l1=0.01, perceptual=0.01)


def _with_type(cfg: Optional[Dict], default_type: str) -> Dict:
    """A copy of ``cfg`` (or an empty config) with ``type`` defaulted."""
    cfg = dict(cfg or {})
    cfg.setdefault('type', default_type)
    return cfg


@MODELS.register_module()
class FPTN(BaseModule):
    """Facial Pose Transfer Network: PATB generator, D_A, D_S and Eq. 5-8.

    Args:
        num_keypoints (int): K, channels of the heatmaps.
        generator (dict, optional): Config of the generator; ``type``
            defaults to ``'PATBGenerator'`` and ``num_keypoints`` is filled
            in. Default: PATN's (64 base channels, 9 PATB blocks).
        discriminator (dict, optional): Config shared by D_A and D_S;
            ``type`` defaults to ``'PoseTransferDiscriminator'`` and
            ``in_channels`` is filled in (6 for D_A, K + 3 for D_S).
        gan_loss (dict, optional): Config of the Eq. 6 loss; ``type``
            defaults to ``'DualDiscriminatorGANLoss'`` (LSGAN by default).
        perceptual_loss (dict, optional): Config of the Eq. 8 loss; ``type``
            defaults to ``'VGGPerceptualL1Loss'`` (give ``vgg_weights``, a
            local VGG-19 weight file, for training).
        loss_weights (dict, optional): ``gan``, ``l1`` and ``perceptual``
            (lambda1..3 of Eq. 5). Default: the paper's 0.05, 0.01, 0.01.
        init_cfg (dict, optional): mmengine init config. ``None`` uses
            PATN's initialisation, N(0, 0.02) for every (transposed) conv of
            the generator and the discriminators; the frozen VGG layers are
            never re-initialised.

    Every network call goes through :meth:`forward` (``mode`` selects the
    computation), so a distributed wrapper around this module sees it.
    """

    def __init__(self,
                 num_keypoints: int,
                 generator: Optional[Dict] = None,
                 discriminator: Optional[Dict] = None,
                 gan_loss: Optional[Dict] = None,
                 perceptual_loss: Optional[Dict] = None,
                 loss_weights: Optional[Dict] = None,
                 init_cfg: Optional[Dict] = None) -> None:
        super().__init__(init_cfg=init_cfg)
        self.num_keypoints = num_keypoints
        generator_cfg = _with_type(generator, 'PATBGenerator')
        generator_cfg['num_keypoints'] = num_keypoints
        self.generator = MODELS.build(generator_cfg)
        disc_cfg = _with_type(discriminator, 'PoseTransferDiscriminator')
        self.discriminator_a = MODELS.build(dict(disc_cfg, in_channels=6))
        self.discriminator_s = MODELS.build(
            dict(disc_cfg, in_channels=num_keypoints + 3))
        self.gan_loss = MODELS.build(
            _with_type(gan_loss, 'DualDiscriminatorGANLoss'))
        self.perceptual_loss = MODELS.build(
            _with_type(perceptual_loss, 'VGGPerceptualL1Loss'))
        weights = dict(DEFAULT_LOSS_WEIGHTS)
        unknown = set(loss_weights or {}) - set(weights)
        if unknown:
            raise KeyError(f'FPTN loss_weights accepts {sorted(weights)}, '
                           f'got unknown keys {sorted(unknown)}')
        weights.update(loss_weights or {})
        self.loss_weights = weights

    def init_weights(self) -> None:
        """PATN initialisation (see the class docstring) unless init_cfg."""
        if self.init_cfg is not None:
            super().init_weights()
            return
        for net in self.discriminators() + (self.generator, ):
            for module in net.modules():
                if isinstance(module, (nn.Conv2d, nn.ConvTranspose2d)):
                    nn.init.normal_(module.weight, 0.0, 0.02)
                    if module.bias is not None:
                        nn.init.zeros_(module.bias)
        warp_head = getattr(self.generator, 'warp_head', None)
        if warp_head is not None:
            warp_head.reset_output()  # identity warp at the start
        self._is_init = True

    def discriminators(self) -> Tuple[nn.Module, nn.Module]:
        """(D_A, D_S)."""
        return self.discriminator_a, self.discriminator_s

    def set_discriminators_trainable(self, trainable: bool) -> None:
        """Switch ``requires_grad`` of D_A and D_S (off for the G step)."""
        for net in self.discriminators():
            net.requires_grad_(trainable)

    def forward(self, mode: str, *args, **kwargs):
        """Dispatch to :meth:`generate` (``mode='generate'``),
        :meth:`generate_and_loss` (``'generator'``) or
        :meth:`discriminator_loss` (``'discriminator'``)."""
        if mode == 'generate':
            return self.generate(*args, **kwargs)
        if mode == 'generator':
            return self.generate_and_loss(*args, **kwargs)
        if mode == 'discriminator':
            return self.discriminator_loss(*args, **kwargs)
        raise ValueError("FPTN.forward mode must be 'generate', 'generator' "
                         f"or 'discriminator', got {mode!r}")

    def generate(self, cond_face: Tensor, cond_heatmaps: Tensor,
                 tgt_heatmaps: Tensor) -> Tensor:
        """I_ger = G(I_con, H_con, H_tar).

        Args:
            cond_face (Tensor): I_con (N, 3, H, W), RGB in [0, 1].
            cond_heatmaps (Tensor): H_con (N, K, h, w).
            tgt_heatmaps (Tensor): H_tar (N, K, h, w).

        Returns:
            Tensor: I_ger (N, 3, H, W), RGB in [0, 1].
        """
        return self.generator(cond_face, cond_heatmaps, tgt_heatmaps)

    def discriminate(self, cond_face: Tensor, tgt_heatmaps: Tensor,
                     face: Tensor) -> Tuple[Tensor, Tensor]:
        """Score maps D_A(I_con || face) and D_S(H_tar || face).

        Args:
            cond_face (Tensor): I_con (N, 3, H, W).
            tgt_heatmaps (Tensor): H_tar (N, K, h, w), resized bilinearly
                to (H, W) when they differ.
            face (Tensor): Real I_tar or generated I_ger (N, 3, H, W).

        Returns:
            tuple[Tensor, Tensor]: The two score maps (N, C, H/4, W/4).
        """
        heatmaps = resize_heatmaps(tgt_heatmaps, tuple(face.shape[-2:]))
        scores_a = self.discriminator_a(torch.cat([cond_face, face], dim=1))
        scores_s = self.discriminator_s(torch.cat([heatmaps, face], dim=1))
        return scores_a, scores_s

    def generator_loss(self, fake_face: Tensor, cond_face: Tensor,
                       tgt_heatmaps: Tensor,
                       tgt_face: Tensor) -> Dict[str, Tensor]:
        """Generator side of Eq. 5, each term already weighted.

        Gradient paths: the L1 and perceptual terms and the adversarial term
        all reach ``cond_face`` and both heatmaps through I_ger (the
        generator) only; D_A and D_S see detached ``cond_face`` and
        ``tgt_heatmaps``.

        Args:
            fake_face (Tensor): I_ger (N, 3, H, W).
            cond_face (Tensor): I_con (N, 3, H, W).
            tgt_heatmaps (Tensor): H_tar (N, K, h, w).
            tgt_face (Tensor): I_tar (N, 3, H, W).

        Returns:
            dict[str, Tensor]: ``loss_pt_gan`` (lambda1 * Eq. 6, generator
            side, both discriminators), ``loss_pt_l1`` (lambda2 * Eq. 7),
            ``loss_pt_perceptual`` (lambda3 * Eq. 8).
        """
        # The discriminators judge I_ger only: their other inputs (I_con,
        # H_tar) are detached, so the adversarial term reaches DHLN through
        # the generator (a face rendered in the wrong pose), never through
        # D_S's own input H_tar (D_S is trained on DHLN's heatmaps as real,
        # so that gradient would carry no landmark signal).
        scores_a, scores_s = self.discriminate(cond_face.detach(),
                                               tgt_heatmaps.detach(),
                                               fake_face)
        weights = self.loss_weights
        return dict(
            loss_pt_gan=weights['gan'] *
            self.gan_loss.generator_loss(scores_a, scores_s),
            loss_pt_l1=weights['l1'] * l1_loss(fake_face, tgt_face),
            loss_pt_perceptual=weights['perceptual'] *
            self.perceptual_loss(fake_face, tgt_face),
        )

    def generate_and_loss(
            self, cond_face: Tensor, cond_heatmaps: Tensor,
            tgt_heatmaps: Tensor,
            tgt_face: Tensor) -> Tuple[Dict[str, Tensor], Tensor]:
        """Generate I_ger and return the generator losses and I_ger.

        Args:
            cond_face (Tensor): I_con (N, 3, H, W).
            cond_heatmaps (Tensor): H_con (N, K, h, w).
            tgt_heatmaps (Tensor): H_tar (N, K, h, w).
            tgt_face (Tensor): I_tar (N, 3, H, W).

        Returns:
            tuple: (losses of :meth:`generator_loss`, I_ger (N, 3, H, W)).
        """
        fake_face = self.generate(cond_face, cond_heatmaps, tgt_heatmaps)
        losses = self.generator_loss(fake_face, cond_face, tgt_heatmaps,
                                     tgt_face)
        return losses, fake_face

    def discriminator_loss(self, fake_face: Tensor, cond_face: Tensor,
                           tgt_heatmaps: Tensor,
                           tgt_face: Tensor) -> Dict[str, Tensor]:
        """Discriminator side of Eq. 6, on detached inputs: no gradient
        reaches the generator or whatever produced the condition face and
        heatmaps. The terms are not multiplied by lambda1 (as in PATN):
        lambda1 balances the generator's objective, and scaling the
        discriminator's own loss only rescales its gradients.

        Args:
            fake_face (Tensor): I_ger (N, 3, H, W).
            cond_face (Tensor): I_con (N, 3, H, W).
            tgt_heatmaps (Tensor): H_tar (N, K, h, w).
            tgt_face (Tensor): I_tar (N, 3, H, W).

        Returns:
            dict[str, Tensor]: ``loss_da_real``, ``loss_ds_real``,
            ``loss_da_fake``, ``loss_ds_fake``.
        """
        cond_face = cond_face.detach()
        tgt_heatmaps = tgt_heatmaps.detach()
        real_a, real_s = self.discriminate(cond_face, tgt_heatmaps,
                                           tgt_face.detach())
        fake_a, fake_s = self.discriminate(cond_face, tgt_heatmaps,
                                           fake_face.detach())
        return self.gan_loss.discriminator_loss(real_a, real_s, fake_a,
                                                fake_s)
