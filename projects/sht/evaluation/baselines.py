"""Baselines that need no training: the mean shape and bicubic faces.

- *mean shape*: the mean of the training landmarks in the normalised face
  crop, placed into each test crop (no image is looked at);
- *bicubic*: the LR face (bicubic down-sampling of the HR crop, as the model
  receives it) up-sampled back to the HR size by bicubic interpolation.
"""
from typing import Callable, List, Sequence

import numpy as np
import torch
from mmengine.structures import InstanceData, PixelData
from mmpose.structures import PoseDataSample
from mmpose.structures.bbox import bbox_xyxy2cs

from ..models.degradation import bicubic_degrade


def normalised_landmarks(keypoints: np.ndarray, center: np.ndarray,
                         scale: np.ndarray) -> np.ndarray:
    """Landmarks (K, 2) in the unit square of an unrotated face crop."""
    return (keypoints - center) / scale + 0.5


def mean_shape(dataset, padding: float = 1.25) -> np.ndarray:
    """Mean of the labeled training landmarks in the normalised crop, (K, 2).

    Each face is cropped as the pipelines crop it (``GetBBoxCenterScale``:
    the box padded by ``padding``, no rotation).
    """
    shapes = []
    for idx in range(len(dataset)):
        info = dataset.get_data_info(idx)
        if not info.get('labeled', True):
            continue
        center, scale = bbox_xyxy2cs(info['bbox'], padding=padding)
        shapes.append(
            normalised_landmarks(info['keypoints'][0], center[0], scale[0]))
    if not shapes:
        raise ValueError('mean_shape: the training set has no labeled face')
    return np.mean(shapes, axis=0)


def hr_rgb01(inputs: Sequence[torch.Tensor]) -> torch.Tensor:
    """Dataloader HR crops (uint8 BGR (3, H, W)) -> (N, 3, H, W) RGB [0, 1].
    """
    return torch.stack([img.flip(0) for img in inputs]).float() / 255.


def baseline_predictor(
        shape: np.ndarray,
        lr_size: int) -> Callable[[dict], List[PoseDataSample]]:
    """Predictions of both baselines at once: mean-shape landmarks and the
    bicubic up-sampled LR face (``pred_face.img``)."""

    def predict(batch: dict) -> List[PoseDataSample]:
        hr = hr_rgb01(batch['inputs'])
        bicubic = bicubic_degrade(hr, lr_size, hr.shape[-1])
        samples = []
        for sample, face in zip(batch['data_samples'], bicubic):
            center = np.asarray(sample.metainfo['input_center'])
            scale = np.asarray(sample.metainfo['input_scale'])
            out = sample.clone()
            out.pred_instances = InstanceData(
                keypoints=((shape - 0.5) * scale + center)[None],
                keypoint_scores=np.ones((1, len(shape))))
            out.pred_face = PixelData(img=face)
            samples.append(out)
        return samples

    return predict
