"""Heatmap term of Eq. 4: ``||H_i - H_i^*||_2^2`` per image."""
from typing import Optional

from mmpose.registry import MODELS
from torch import Tensor, nn

from .reduction import check_same_shape, per_image_sum


@MODELS.register_module()
class HeatmapSquaredL2Loss(nn.Module):
    """Squared L2 norm of the heatmap error of each image, batch mean.

    ``loss = mean_i sum_{k, y, x} w_ik * (H_ik(y, x) - H*_ik(y, x))^2``
    (the project's loss convention, :mod:`.reduction`). Keypoint weights
    ``w_ik`` switch off invisible or unlabeled landmarks (gamma1 = 0 of
    Eq. 10 is a zero weight on every keypoint of the image).
    """

    def forward(self,
                pred: Tensor,
                target: Tensor,
                keypoint_weights: Optional[Tensor] = None) -> Tensor:
        """Compute the loss.

        Args:
            pred (Tensor): Predicted heatmaps (N, K, h, w).
            target (Tensor): Target heatmaps (N, K, h, w).
            keypoint_weights (Tensor, optional): (N, K). Default: all ones.

        Returns:
            Tensor: Scalar loss.
        """
        check_same_shape('HeatmapSquaredL2Loss', pred, target)
        err = (pred - target).pow(2)
        if keypoint_weights is not None:
            if keypoint_weights.shape != pred.shape[:2]:
                raise ValueError(
                    'HeatmapSquaredL2Loss: keypoint_weights must be (N, K) '
                    f'= {tuple(pred.shape[:2])}, got '
                    f'{tuple(keypoint_weights.shape)}')
            err = err * keypoint_weights[:, :, None, None].to(err)
        return per_image_sum(err)
