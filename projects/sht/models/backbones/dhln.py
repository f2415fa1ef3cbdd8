"""DHLN: the Dual Hallucination Learning Network backbone (Fig. 3).

Two streams run side by side on the 64x64 LR input:

- the landmark heatmap hallucination stream, a stacked hourglass network
  (4 stacks, 256 channels) producing one heatmap tensor per stack;
- the face hallucination stream, a chain of SR modules (4 SRBlocks each,
  64 channels) ending in an SR tail that outputs the hallucinated face.

After every stack t, FUBlock1 (Eq. 1) gates Q_t with the pose features P_t,
and FUBlock2 (Eq. 2) folds the gated Q'_t back into P_t; the stack's heatmaps
come from the fused P'_t, which also feeds the next stack.

``with_cp=True`` checkpoints the activations (see :mod:`.checkpointing`)
of the stem, of every hourglass stack (hourglass + neck), of every SR
module, of every fusion step (FUBlock1 + FUBlock2) and of the SR tail.

Two switches give the paper's baselines: ``with_sr_stream=False`` is SHN (the
plain stacked hourglass), ``with_landmark_stream=False`` is FHS (the face
hallucination stream alone).
"""
from typing import List, Optional, Tuple

import torch.nn as nn
from mmpose.models.backbones.base_backbone import BaseBackbone
from mmpose.registry import MODELS
from torch import Tensor

from .checkpointing import maybe_checkpoint
from .fusion_blocks import FUBlock1, FUBlock2
from .hourglass import Hourglass, HourglassStem, StackNeck
from .sr_blocks import SRModule, SRTail


@MODELS.register_module()
class DHLN(BaseBackbone):
    """Two-stream DHLN backbone.

    Args:
        num_keypoints (int): Heatmap channels K. Defaults to 68.
        in_channels (int): Image channels. Defaults to 3.
        num_stacks (int): Hourglass stacks = SR modules = fusion steps.
            Defaults to 4.
        stack_channels (int): Landmark stream channels (P_t). Defaults to 256.
        hourglass_depth (int): Down-sampling levels per hourglass.
            Defaults to 4.
        merge_residual (bool): Residual after each hourglass merge (see
            :class:`Hourglass`). Defaults to True.
        sr_channels (int): SR stream channels (Q_t). Defaults to 64.
        num_sr_blocks (int): SRBlocks per SR module. Defaults to 4.
        sr_hidden_channels (int): Inner channels of an SRBlock.
            Defaults to 128.
        sr_scale (int): Hallucinated face size / LR input size: 2 for
            64 -> 128 (CelebA/Helen), 4 for 64 -> 256 ("-M"). Defaults to 2.
        with_sr_stream (bool): Build the face hallucination stream and the
            fusion blocks. False gives SHN. Defaults to True.
        with_landmark_stream (bool): Build the hourglass stream. False gives
            FHS. Defaults to True.
        stem_stride (int): Stride of the landmark stream's stem (1: the
            heatmaps have the input size; 2 for an SHN on the HR face of a
            x2 setting). Defaults to 1.
        with_cp (bool): Activation checkpointing of the stem, the stacks,
            the SR modules, the fusion steps and the SR tail while training
            (less memory, one more forward of each; same outputs and
            gradients). Defaults to False.
        init_cfg (dict, optional): mmengine init config. Defaults to None.
    """

    def __init__(self,
                 num_keypoints: int = 68,
                 in_channels: int = 3,
                 num_stacks: int = 4,
                 stack_channels: int = 256,
                 hourglass_depth: int = 4,
                 merge_residual: bool = True,
                 sr_channels: int = 64,
                 num_sr_blocks: int = 4,
                 sr_hidden_channels: int = 128,
                 sr_scale: int = 2,
                 with_sr_stream: bool = True,
                 with_landmark_stream: bool = True,
                 stem_stride: int = 1,
                 with_cp: bool = False,
                 init_cfg: Optional[dict] = None) -> None:
        super().__init__(init_cfg=init_cfg)
        if not (with_sr_stream or with_landmark_stream):
            raise ValueError('DHLN needs at least one stream: '
                             'with_sr_stream and with_landmark_stream are '
                             'both False')
        if num_stacks < 1:
            raise ValueError(f'num_stacks must be >= 1, got {num_stacks}')
        self.num_keypoints = num_keypoints
        self.num_stacks = num_stacks
        self.hourglass_depth = hourglass_depth
        self.sr_scale = sr_scale
        self.with_sr_stream = with_sr_stream
        self.with_landmark_stream = with_landmark_stream
        self.with_cp = with_cp

        if with_landmark_stream:
            c = stack_channels
            self.stem = HourglassStem(in_channels, c, stem_stride)
            self.hourglasses = nn.ModuleList([
                Hourglass(hourglass_depth, c, merge_residual)
                for _ in range(num_stacks)
            ])
            self.stack_necks = nn.ModuleList(
                [StackNeck(c) for _ in range(num_stacks)])
            self.heatmap_convs = nn.ModuleList(
                [nn.Conv2d(c, num_keypoints, 1) for _ in range(num_stacks)])
            # features and heatmaps of stack t re-enter stack t + 1
            self.feat_remaps = nn.ModuleList(
                [nn.Conv2d(c, c, 1) for _ in range(num_stacks - 1)])
            self.heatmap_remaps = nn.ModuleList([
                nn.Conv2d(num_keypoints, c, 1) for _ in range(num_stacks - 1)
            ])

        if with_sr_stream:
            self.sr_head = nn.Conv2d(in_channels, sr_channels, 3, padding=1)
            self.sr_modules = nn.ModuleList([
                SRModule(sr_channels, num_sr_blocks, sr_hidden_channels)
                for _ in range(num_stacks)
            ])
            self.sr_tail = SRTail(sr_channels, sr_scale, in_channels)

        if with_sr_stream and with_landmark_stream:
            self.fu_block1 = nn.ModuleList([
                FUBlock1(stack_channels, sr_channels)
                for _ in range(num_stacks)
            ])
            self.fu_block2 = nn.ModuleList([
                FUBlock2(stack_channels, sr_channels)
                for _ in range(num_stacks)
            ])

    def forward(
        self, lr: Tensor, with_face: bool = True
    ) -> Tuple[Optional[Tuple[Tensor, ...]], Optional[Tensor]]:
        """Run both streams.

        Args:
            lr (Tensor): LR faces (N, 3, H, W), RGB in [0, 1]; H and W
                divisible by ``2 ** hourglass_depth`` (64x64 in the paper).
            with_face (bool): Run the SR tail. False skips only the
                reconstruction of the face (the SR features still feed
                FUBlock1/2), for inference that needs landmarks alone;
                the heatmaps are the same. Defaults to True.

        Returns:
            tuple:
            - heatmaps (tuple[Tensor] | None): one (N, K, H, W) tensor per
              stack, None when the landmark stream is off (FHS).
            - sr (Tensor | None): the hallucinated face
              (N, 3, H * sr_scale, W * sr_scale), None when the SR stream is
              off (SHN) or ``with_face`` is False.
        """
        if lr.dim() != 4:
            raise ValueError(
                f'DHLN expects (N, C, H, W) input, got {tuple(lr.shape)}')
        if self.with_landmark_stream:
            step = 2**self.hourglass_depth
            if lr.shape[-1] % step or lr.shape[-2] % step:
                raise ValueError(
                    f'DHLN input {tuple(lr.shape[-2:])} must be divisible by '
                    f'2**hourglass_depth = {step}')

        cp = self.with_cp
        x = (maybe_checkpoint(self.stem, lr, enabled=cp)
             if self.with_landmark_stream else None)
        q = self.sr_head(lr) if self.with_sr_stream else None
        heatmaps: List[Tensor] = []
        for t in range(self.num_stacks):
            if self.with_sr_stream:
                q = maybe_checkpoint(self.sr_modules[t], q, enabled=cp)  # Q_t
            if not self.with_landmark_stream:
                continue
            p = maybe_checkpoint(self._stack, t, x, enabled=cp)  # P_t
            if self.with_sr_stream:
                # Q'_t (Eq. 1) and P'_t (Eq. 2)
                q, p = maybe_checkpoint(self._fuse, t, p, q, enabled=cp)
            h = self.heatmap_convs[t](p)
            heatmaps.append(h)
            if t < self.num_stacks - 1:
                x = self.feat_remaps[t](p).add_(x).add_(
                    self.heatmap_remaps[t](h))

        sr = (maybe_checkpoint(self.sr_tail, q, lr, enabled=cp)
              if self.with_sr_stream and with_face else None)
        return (tuple(heatmaps) if heatmaps else None), sr

    def _stack(self, t: int, x: Tensor) -> Tensor:
        """Hourglass t and its neck: (N, C, H, W) -> P_t (N, C, H, W)."""
        return self.stack_necks[t](self.hourglasses[t](x))

    def _fuse(self, t: int, p: Tensor, q: Tensor) -> Tuple[Tensor, Tensor]:
        """Fusion step t: Q'_t (Eq. 1, (N, C_q, H, W)) and P'_t (Eq. 2,
        (N, C_p, H, W)) from P_t (N, C_p, H, W) and Q_t (N, C_q, H, W)."""
        q = self.fu_block1[t](p, q)
        return q, self.fu_block2[t](p, q)
