"""Containers passed between the DHLN estimator and its head."""
from typing import Dict, NamedTuple, Optional, Tuple

from torch import Tensor


class DHLNFeatures(NamedTuple):
    """What DHLN computes for a batch, plus the images it came from.

    Attributes:
        heatmaps (tuple[Tensor] | None): One (N, K, 64, 64) tensor per
            stack (intermediate supervision); None when the landmark stream
            is off (FHS).
        sr (Tensor | None): Hallucinated faces (N, 3, H, W), RGB, [0, 1]
            range (not clamped during training); None when the SR stream is
            off (SHN).
        hr (Tensor): The HR crops (N, 3, H, W), RGB in [0, 1]: the SR target.
        lr (Tensor): The degraded input DHLN received (N, 3, 64, 64).
    """
    heatmaps: Optional[Tuple[Tensor, ...]]
    sr: Optional[Tensor]
    hr: Tensor
    lr: Tensor


class DHLNOutputs(NamedTuple):
    """DHLN features of a batch with the Eq. 4 loss dict computed on them.

    Attributes:
        feats (DHLNFeatures): Per-stack heatmaps, SR face, HR and LR images.
        losses (dict[str, Tensor]): ``loss_kpt``, ``loss_sr``, ``loss_grad``
            (those that apply) and ``acc_pose``; empty when not requested.
    """
    feats: DHLNFeatures
    losses: Dict[str, Tensor]
