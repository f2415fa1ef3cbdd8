"""The loss convention of this project: per-image norms, batch means.

The norms of Eq. 4, 7 and 8 are written per image (``||H_i - H_i^*||_2^2``,
``||I^SR_i - I^HR_i||_1``, ...) and Eq. 9 sums the per-image objectives. We
read them as written: each norm **sums** over every element of one image
(channels x pixels; for heatmaps, keypoints x heatmap pixels), and the batch
**averages** those per-image values (so the learning rate does not depend on
the batch size). Eq. 6's expectation is a mean over the discriminator's score
map and the batch. See docs/architecture.md, "Loss convention".
"""
from typing import Optional

from torch import Tensor


def per_image_sum(values: Tensor,
                  sample_weights: Optional[Tensor] = None) -> Tensor:
    """Sum every element of each image, then average over the batch.

    Args:
        values (Tensor): Element-wise losses (N, ...), N >= 1.
        sample_weights (Tensor, optional): Per-image weights (N,), applied
            to the per-image sums. The mean is still over all N images.

    Returns:
        Tensor: Scalar, ``mean_i(w_i * sum(values[i]))``.
    """
    if values.dim() < 1 or values.shape[0] == 0:
        raise ValueError('per_image_sum needs a non-empty batch (N, ...), '
                         f'got shape {tuple(values.shape)}')
    sums = values.reshape(values.shape[0], -1).sum(dim=1)
    if sample_weights is not None:
        sums = sums * sample_weights.reshape(-1).to(sums)
    return sums.mean()


def check_same_shape(loss: str, pred: Tensor, target: Tensor) -> None:
    """Raise ``ValueError`` naming ``loss`` unless the shapes agree."""
    if pred.shape != target.shape:
        raise ValueError(f'{loss}: prediction and target shapes differ: '
                         f'{tuple(pred.shape)} vs {tuple(target.shape)}')
