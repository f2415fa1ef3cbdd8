"""DHLN fusion blocks between the landmark and face hallucination streams.

FUBlock1 (Eq. 1) turns pose features P_t into an attention gate on the SR
features Q_t; FUBlock2 (Eq. 2) folds the gated SR features back into P_t.
"""
import torch
import torch.nn as nn
from torch import Tensor


class PoseResidualBlock(nn.Module):
    """The residual block RB of Eq. 1 mapping P_t to the size of Q_t.

    conv3x3 (C_p -> C_q) - ReLU - conv3x3 (C_q -> C_q), plus a 1x1 conv skip
    (C_p -> C_q).

    Args:
        in_channels (int): Pose channels C_p (256).
        out_channels (int): SR channels C_q (64).
    """

    def __init__(self, in_channels: int, out_channels: int) -> None:
        super().__init__()
        self.body = nn.Sequential(
            nn.Conv2d(in_channels, out_channels, 3, padding=1),
            nn.ReLU(inplace=True),
            nn.Conv2d(out_channels, out_channels, 3, padding=1))
        self.skip = nn.Conv2d(in_channels, out_channels, 1)

    def forward(self, x: Tensor) -> Tensor:
        """(N, C_p, H, W) -> (N, C_q, H, W)."""
        return self.body(x).add_(self.skip(x))


class FUBlock1(nn.Module):
    """Pose attention on the SR features (Eq. 1).

    ``Q'_t = Q_t + Q_t * sigmoid(RB(P_t))``

    Args:
        pose_channels (int): Channels of P_t (256 in the paper).
        sr_channels (int): Channels of Q_t (64 in the paper).
    """

    def __init__(self, pose_channels: int, sr_channels: int) -> None:
        super().__init__()
        self.rb = PoseResidualBlock(pose_channels, sr_channels)

    def forward(self, pose_feats: Tensor, sr_feats: Tensor) -> Tensor:
        """Eq. 1.

        Args:
            pose_feats (Tensor): P_t, (N, C_p, H, W).
            sr_feats (Tensor): Q_t, (N, C_q, H, W).

        Returns:
            Tensor: Q'_t, (N, C_q, H, W).
        """
        if pose_feats.shape[-2:] != sr_feats.shape[-2:]:
            raise ValueError(
                'FUBlock1 needs P_t and Q_t of the same spatial size, got '
                f'{tuple(pose_feats.shape)} and {tuple(sr_feats.shape)}')
        # Q + Q * sigmoid(.) in one pass, the gate computed in place
        gate = self.rb(pose_feats).sigmoid_()
        return torch.addcmul(sr_feats, sr_feats, gate)


class FUBlock2(nn.Module):
    """SR features folded into the pose features (Eq. 2).

    ``P'_t = P_t + conv3x3(P_t || Q'_t)``

    Args:
        pose_channels (int): Channels of P_t (256 in the paper).
        sr_channels (int): Channels of Q'_t (64 in the paper).
    """

    def __init__(self, pose_channels: int, sr_channels: int) -> None:
        super().__init__()
        self.conv = nn.Conv2d(
            pose_channels + sr_channels, pose_channels, 3, padding=1)

    def forward(self, pose_feats: Tensor, sr_feats: Tensor) -> Tensor:
        """Eq. 2.

        Args:
            pose_feats (Tensor): P_t, (N, C_p, H, W).
            sr_feats (Tensor): Q'_t, (N, C_q, H, W).

        Returns:
            Tensor: P'_t, (N, C_p, H, W).
        """
        if pose_feats.shape[-2:] != sr_feats.shape[-2:]:
            raise ValueError(
                'FUBlock2 needs P_t and Q\'_t of the same spatial size, got '
                f'{tuple(pose_feats.shape)} and {tuple(sr_feats.shape)}')
        return self.conv(torch.cat([pose_feats, sr_feats], 1)).add_(pose_feats)
