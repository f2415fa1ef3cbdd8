"""FPTN discriminators D_A (appearance) and D_S (shape), PATN style.

Both share one architecture: conv7x7, two stride-2 conv3x3, residual blocks,
and they score the input with a map (one logit per location), on which the
GAN loss of Eq. 6 is averaged. D_A sees (condition face || face), 6 channels;
D_S sees (target heatmaps || face), K + 3 channels.

``with_cp=True`` checkpoints the activations (``torch.utils.checkpoint``)
of the encoder and of every residual block while training.
"""
from typing import Dict, Optional

from mmpose.registry import MODELS
from torch import Tensor, nn

from ..backbones.checkpointing import maybe_checkpoint
from .generator import (build_downsampling_encoder, patn_init_,
                        reflect_conv_pair)


class ResidualBlock(nn.Module):
    """x + (pad-conv3x3-norm-ReLU-pad-conv3x3-norm)(x)."""

    def __init__(self, channels: int, norm_cfg: Dict) -> None:
        super().__init__()
        self.body = reflect_conv_pair(channels, channels, norm_cfg)

    def forward(self, x: Tensor) -> Tensor:
        """(N, C, h, w) -> (N, C, h, w)."""
        return x + self.body(x)


@MODELS.register_module()
class PoseTransferDiscriminator(nn.Module):
    """Discriminator for FPTN (used as D_A and as D_S).

    Args:
        in_channels (int): Input channels (6 for D_A, K + 3 for D_S).
        base_channels (int): Width of the first conv; the residual blocks run
            at 1/4 resolution with ``4 * base_channels`` channels.
            Default: 64.
        num_res_blocks (int): Residual blocks after the encoder. Default: 3.
        out_channels (int, optional): Channels of the output score map, made
            by a final conv3x3. ``None`` scores the residual features
            directly, as PATN does (a ``4 * base_channels``-channel map).
            Default: 1.
        norm_cfg (dict): mmcv normalisation config. Default: instance norm.
        with_cp (bool): Activation checkpointing of the encoder and each
            residual block while training (less memory, one more forward of
            each; same outputs and gradients). Default: False.

    The output is a map of raw scores (logits for the vanilla GAN, raw
    outputs for LSGAN); no sigmoid is applied here.
    """

    def __init__(self,
                 in_channels: int,
                 base_channels: int = 64,
                 num_res_blocks: int = 3,
                 out_channels: Optional[int] = 1,
                 norm_cfg: Optional[Dict] = None,
                 with_cp: bool = False) -> None:
        super().__init__()
        norm_cfg = norm_cfg or dict(type='IN')
        self.in_channels = in_channels
        self.with_cp = with_cp
        channels = 4 * base_channels
        layers = [
            build_downsampling_encoder(in_channels, base_channels, norm_cfg)
        ]
        layers += [
            ResidualBlock(channels, norm_cfg) for _ in range(num_res_blocks)
        ]
        if out_channels is not None:
            layers.append(nn.Conv2d(channels, out_channels, 3, padding=1))
        self.layers = nn.Sequential(*layers)

    def init_weights(self) -> None:
        """PATN's initialisation (:func:`~.generator.patn_init_`)."""
        patn_init_(self)

    def forward(self, x: Tensor) -> Tensor:
        """Score a (pair || face) input.

        Args:
            x (Tensor): (N, in_channels, H, W).

        Returns:
            Tensor: Score map (N, out_channels, H/4, W/4).
        """
        if x.shape[1] != self.in_channels:
            raise ValueError(
                f'PoseTransferDiscriminator expects {self.in_channels} input '
                f'channels, got {x.shape[1]}')
        for layer in self.layers:
            # the final score conv is small: it is not checkpointed
            x = maybe_checkpoint(
                layer, x,
                enabled=self.with_cp and not isinstance(layer, nn.Conv2d))
        return x
