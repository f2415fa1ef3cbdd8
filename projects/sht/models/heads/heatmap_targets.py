"""Ground-truth heatmaps of a batch, stacked (the head's Eq. 4 targets and
the poses of FPTN pretraining)."""
from typing import List, Optional, Sequence, Tuple

import torch
from torch import Tensor


def stack_gt_heatmaps(data_samples: Sequence,
                      like: Tensor,
                      required: Sequence[bool],
                      shape: Optional[Tuple[int, ...]] = None,
                      owner: str = 'SHT') -> Tuple[Tensor, List[bool]]:
    """Stack the ``gt_fields.heatmaps`` of a batch.

    Args:
        data_samples (Sequence[PoseDataSample]): One per image.
        like (Tensor): Dtype and device of the result.
        required (Sequence[bool]): Per sample, whether it must carry target
            heatmaps (a labeled sample); a missing required target raises
            ``ValueError`` naming the sample and the pipeline fix.
        shape (tuple, optional): Expected (K, h, w) of every target (the
            network's output); a missing optional target becomes zeros of
            this shape. Without it every sample must carry a target.
        owner (str): Named at the start of error messages.

    Returns:
        tuple: (heatmaps (N, K, h, w), per sample whether it had a target).
    """
    targets, present = [], []
    for i, (sample, needed) in enumerate(zip(data_samples, required)):
        fields = sample.get('gt_fields', None)
        if fields is None or 'heatmaps' not in fields:
            if needed or shape is None:
                path = sample.metainfo.get('img_path', '?')
                labeled = 'labeled ' if needed else ''
                raise ValueError(
                    f'{owner}: {labeled}sample {i} ({path}) has no '
                    'gt_fields.heatmaps; add GenerateTarget with a heatmap '
                    'codec to the training pipeline')
            targets.append(like.new_zeros(shape))
            present.append(False)
            continue
        target = torch.as_tensor(fields.heatmaps).to(like)
        if shape is not None and tuple(target.shape) != tuple(shape):
            raise ValueError(
                f'{owner}: target heatmaps of sample {i} are '
                f'{tuple(target.shape)}, the network outputs {tuple(shape)}; '
                'set the codec heatmap_size to the DHLN heatmap size')
        targets.append(target)
        present.append(True)
    return torch.stack(targets), present
