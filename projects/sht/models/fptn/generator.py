"""FPTN generator: a PATN-style network of Pose-Attentional Transfer Blocks.

The generator renders a condition face in a target pose. It has two encoders
(image stream and pose stream, both down to 1/4 resolution), a chain of PATB
blocks that move appearance features to the target pose under a pose
attention mask, and a decoder back to full resolution.

The pose input is the channel concatenation of the condition heatmaps and the
target heatmaps; it is resized bilinearly to the image size when the sizes
differ (heatmaps are 64x64, faces 128x128 or 256x256 in this project).

``with_cp=True`` checkpoints the activations (``torch.utils.checkpoint``)
of both encoders, of every PATB block and of the decoder while training.
"""
from typing import Dict, Optional, Tuple

import torch
import torch.nn.functional as F
from mmcv.cnn import build_norm_layer
from mmpose.registry import MODELS
from torch import Tensor, nn

from ..backbones.checkpointing import maybe_checkpoint
from .warp_head import FlowWarpHead, warp_image


def _conv_norm_relu(in_channels: int, out_channels: int, kernel_size: int,
                    stride: int, norm_cfg: Dict,
                    reflect_pad: int = 0) -> nn.Sequential:
    """Optional reflection pad, conv, norm, ReLU."""
    padding = 0 if reflect_pad else (kernel_size - 1) // 2
    layers = []
    if reflect_pad:
        layers.append(nn.ReflectionPad2d(reflect_pad))
    layers += [
        nn.Conv2d(
            in_channels,
            out_channels,
            kernel_size,
            stride=stride,
            padding=padding,
            bias=False),
        build_norm_layer(norm_cfg, out_channels)[1],
        nn.ReLU(inplace=True),
    ]
    return nn.Sequential(*layers)


def build_downsampling_encoder(in_channels: int, base_channels: int,
                               norm_cfg: Dict) -> nn.Sequential:
    """PATN encoder: conv7x7 then two stride-2 conv3x3 (to 1/4 resolution).

    Args:
        in_channels (int): Input channels (3 for a face, 2K for poses).
        base_channels (int): Width of the first conv; the output has
            ``4 * base_channels`` channels.
        norm_cfg (dict): mmcv normalisation config.

    Returns:
        nn.Sequential: (N, in_channels, H, W) -> (N, 4C, H/4, W/4).
    """
    return nn.Sequential(
        _conv_norm_relu(in_channels, base_channels, 7, 1, norm_cfg, 3),
        _conv_norm_relu(base_channels, 2 * base_channels, 3, 2, norm_cfg),
        _conv_norm_relu(2 * base_channels, 4 * base_channels, 3, 2,
                        norm_cfg))


def reflect_conv_pair(in_channels: int, out_channels: int, norm_cfg: Dict,
                      final_norm: bool = True) -> nn.Sequential:
    """pad-conv3x3-norm-ReLU-pad-conv3x3[-norm], as PATN's residual bodies.

    Args:
        in_channels (int): Input channels (and the first conv's outputs).
        out_channels (int): Channels of the second conv.
        norm_cfg (dict): mmcv normalisation config.
        final_norm (bool): Normalise the second conv's output (it then has
            no bias); otherwise the second conv has a bias. Default True.

    Returns:
        nn.Sequential: (N, in_channels, H, W) -> (N, out_channels, H, W).
    """
    layers = [
        nn.ReflectionPad2d(1),
        nn.Conv2d(in_channels, in_channels, 3, bias=False),
        build_norm_layer(norm_cfg, in_channels)[1],
        nn.ReLU(inplace=True),
        nn.ReflectionPad2d(1),
        nn.Conv2d(in_channels, out_channels, 3, bias=not final_norm),
    ]
    if final_norm:
        layers.append(build_norm_layer(norm_cfg, out_channels)[1])
    return nn.Sequential(*layers)


def patn_init_(module: nn.Module) -> None:
    """PATN's initialisation, in place: N(0, 0.02) weights and zero biases
    for every (transposed) conv of ``module``."""
    for m in module.modules():
        if isinstance(m, (nn.Conv2d, nn.ConvTranspose2d)):
            nn.init.normal_(m.weight, 0.0, 0.02)
            if m.bias is not None:
                nn.init.zeros_(m.bias)


class PATB(nn.Module):
    """Pose-Attentional Transfer Block (PATN, used by FPTN in Sec. 3.2).

    Image stream: pad-conv3x3-norm-ReLU-pad-conv3x3-norm.
    Pose stream: pad-conv3x3-norm-ReLU-pad-conv3x3 (no last norm); its input
    has ``channels`` channels in the first block and ``2 * channels`` later.
    Update rule::

        a   = pose(x2)
        x1' = x1 + img(x1) * sigmoid(a)
        x2' = concat(a, x1')

    Args:
        channels (int): Width C of the image stream.
        first (bool): Whether this is the first block (pose input C
            channels instead of 2C).
        norm_cfg (dict): mmcv normalisation config.
    """

    def __init__(self, channels: int, first: bool, norm_cfg: Dict) -> None:
        super().__init__()
        pose_in = channels if first else 2 * channels
        self.image_stream = reflect_conv_pair(channels, channels, norm_cfg)
        self.pose_stream = reflect_conv_pair(
            pose_in, channels, norm_cfg, final_norm=False)

    def forward(self, x1: Tensor, x2: Tensor) -> Tuple[Tensor, Tensor]:
        """Apply one block.

        Args:
            x1 (Tensor): Image features (N, C, h, w).
            x2 (Tensor): Pose features (N, C, h, w) in the first block,
                (N, 2C, h, w) later.

        Returns:
            tuple[Tensor, Tensor]: ``x1'`` (N, C, h, w) and ``x2'``
            (N, 2C, h, w).
        """
        attention_logits = self.pose_stream(x2)
        x1_new = x1 + self.image_stream(x1) * torch.sigmoid(attention_logits)
        x2_new = torch.cat([attention_logits, x1_new], dim=1)
        return x1_new, x2_new


@MODELS.register_module()
class PATBGenerator(nn.Module):
    """FPTN generator: (condition face, condition heatmaps, target heatmaps)
    -> face in the target pose.

    Args:
        num_keypoints (int): K, channels of each heatmap tensor.
        base_channels (int): Width of the first encoder conv; the PATB blocks
            run at 1/4 resolution with ``4 * base_channels`` channels
            (PATN: 64 -> 256). Default: 64.
        num_blocks (int): Number of PATB blocks (PATN: 9). Default: 9.
        norm_cfg (dict): mmcv normalisation config. Default: instance norm.
        image_channels (int): Channels of the faces. Default: 3.
        with_cp (bool): Activation checkpointing of the two encoders, each
            PATB block and the decoder while training (less memory, one
            more forward of each; same outputs and gradients).
            Default: False.
        warp (bool): Add the flow-warp output of :mod:`.warp_head` (our
            addition; PATN and the paper configs have none). Default: False.

    Value ranges: faces are RGB in [0, 1] (the project's image range). The
    condition face enters the image encoder as ``2 * x - 1`` (PATN works in
    [-1, 1]); the decoder ends with ``tanh`` and its output t in [-1, 1] is
    mapped back by ``(t + 1) / 2``.
    """

    def __init__(self,
                 num_keypoints: int,
                 base_channels: int = 64,
                 num_blocks: int = 9,
                 norm_cfg: Optional[Dict] = None,
                 image_channels: int = 3,
                 with_cp: bool = False,
                 warp: bool = False) -> None:
        super().__init__()
        if num_blocks < 1:
            raise ValueError(
                f'PATBGenerator needs num_blocks >= 1, got {num_blocks}')
        norm_cfg = norm_cfg or dict(type='IN')
        self.num_keypoints = num_keypoints
        self.with_cp = with_cp
        channels = 4 * base_channels
        self.image_encoder = build_downsampling_encoder(
            image_channels, base_channels, norm_cfg)
        self.pose_encoder = build_downsampling_encoder(
            2 * num_keypoints, base_channels, norm_cfg)
        self.blocks = nn.ModuleList(
            [PATB(channels, i == 0, norm_cfg) for i in range(num_blocks)])
        self.decoder = nn.Sequential(
            nn.ConvTranspose2d(
                channels,
                2 * base_channels,
                3,
                stride=2,
                padding=1,
                output_padding=1,
                bias=False),
            build_norm_layer(norm_cfg, 2 * base_channels)[1],
            nn.ReLU(inplace=True),
            nn.ConvTranspose2d(
                2 * base_channels,
                base_channels,
                3,
                stride=2,
                padding=1,
                output_padding=1,
                bias=False),
            build_norm_layer(norm_cfg, base_channels)[1],
            nn.ReLU(inplace=True),
            nn.ReflectionPad2d(3),
            nn.Conv2d(base_channels, image_channels, 7),
            nn.Tanh(),
        )
        # PATB features and the last block's pose features: 3 * channels
        self.warp_head = (
            FlowWarpHead(3 * channels, channels) if warp else None)

    def init_weights(self) -> None:
        """PATN's initialisation (:func:`patn_init_`); the warp head, if
        any, then starts as the identity warp."""
        patn_init_(self)
        if self.warp_head is not None:
            self.warp_head.reset_output()

    def forward(self, cond_face: Tensor, cond_heatmaps: Tensor,
                tgt_heatmaps: Tensor) -> Tensor:
        """Render ``cond_face`` in the pose of ``tgt_heatmaps``.

        Args:
            cond_face (Tensor): Condition face (N, 3, H, W), RGB in [0, 1].
                H and W must be multiples of 4.
            cond_heatmaps (Tensor): Condition pose (N, K, h, w).
            tgt_heatmaps (Tensor): Target pose (N, K, h, w).

        Returns:
            Tensor: Generated face (N, 3, H, W), RGB in [0, 1].
        """
        height, width = cond_face.shape[-2:]
        if height % 4 or width % 4:
            raise ValueError('PATBGenerator needs faces whose height and '
                             f'width are multiples of 4, got {height}x{width}')
        pose = pose_input(cond_heatmaps, tgt_heatmaps, (height, width))
        if pose.shape[1] != 2 * self.num_keypoints:
            raise ValueError(
                f'PATBGenerator was built for {self.num_keypoints} keypoints '
                f'(pose input {2 * self.num_keypoints} channels), got '
                f'heatmaps with {cond_heatmaps.shape[1]} and '
                f'{tgt_heatmaps.shape[1]} channels')
        cp = self.with_cp
        x1 = maybe_checkpoint(self.image_encoder, cond_face * 2 - 1,
                              enabled=cp)
        x2 = maybe_checkpoint(self.pose_encoder, pose, enabled=cp)
        for block in self.blocks:
            x1, x2 = maybe_checkpoint(block, x1, x2, enabled=cp)
        decoded = (maybe_checkpoint(self.decoder, x1, enabled=cp) + 1) / 2
        if self.warp_head is None:
            return decoded
        flow, mask = self.warp_head(torch.cat([x1, x2], dim=1),
                                    (height, width))
        return mask * warp_image(cond_face, flow) + (1 - mask) * decoded


def resize_heatmaps(heatmaps: Tensor, size: Tuple[int, int]) -> Tensor:
    """Bilinearly resize heatmaps (N, K, h, w) to ``size`` if they differ."""
    if tuple(heatmaps.shape[-2:]) == tuple(size):
        return heatmaps
    return F.interpolate(
        heatmaps, size=size, mode='bilinear', align_corners=False)


def pose_input(cond_heatmaps: Tensor, tgt_heatmaps: Tensor,
               size: Tuple[int, int]) -> Tensor:
    """Pose-stream input: concat(condition, target) heatmaps at ``size``.

    Args:
        cond_heatmaps (Tensor): (N, K, h, w).
        tgt_heatmaps (Tensor): (N, K, h, w).
        size (tuple[int, int]): Image (H, W).

    Returns:
        Tensor: (N, 2K, H, W).
    """
    return torch.cat([
        resize_heatmaps(cond_heatmaps, size),
        resize_heatmaps(tgt_heatmaps, size)
    ],
                     dim=1)
