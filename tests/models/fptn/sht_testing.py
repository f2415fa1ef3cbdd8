"""Tiny SHT model configs and hand-built pair batches for the tests."""
from typing import Dict, List, Optional, Sequence

import numpy as np
import torch
from mmengine.structures import InstanceData, PixelData
from mmpose.structures import PoseDataSample

NUM_KEYPOINTS = 5
HR_SIZE = 32  # HR crop; LR 8 -> bicubic up to 16; SR x2; heatmaps 16x16
HEATMAP_SIZE = 16


def tiny_sht_cfg(train_cfg: Optional[Dict] = None,
                 train_mode: str = 'sht',
                 with_fptn: bool = True,
                 fptn_overrides: Optional[Dict] = None) -> Dict:
    """A tiny SHTEstimator config (2 stacks, 8-16 channels, 32 px)."""
    fptn = dict(
        num_keypoints=NUM_KEYPOINTS,
        generator=dict(base_channels=4, num_blocks=1),
        discriminator=dict(base_channels=4, num_res_blocks=1),
        gan_loss=dict(gan_type='lsgan'))
    fptn.update(fptn_overrides or {})
    return dict(
        type='SHTEstimator',
        train_mode=train_mode,
        lr_size=8,
        lr_upsample_to=HEATMAP_SIZE,
        data_preprocessor=dict(
            type='PoseDataPreprocessor',
            mean=[0., 0., 0.],
            std=[255., 255., 255.],
            bgr_to_rgb=True),
        backbone=dict(
            type='DHLN',
            num_keypoints=NUM_KEYPOINTS,
            num_stacks=2,
            stack_channels=16,
            hourglass_depth=2,
            sr_channels=8,
            num_sr_blocks=1,
            sr_hidden_channels=8,
            sr_scale=HR_SIZE // HEATMAP_SIZE),
        head=dict(
            type='DHLNHead',
            num_keypoints=NUM_KEYPOINTS,
            decoder=dict(
                type='MSRAHeatmap',
                input_size=(HR_SIZE, HR_SIZE),
                heatmap_size=(HEATMAP_SIZE, HEATMAP_SIZE),
                sigma=1)),
        fptn=fptn if with_fptn else None,
        train_cfg=train_cfg,
        test_cfg=dict(flip_test=False))


def gaussian_heatmaps(rng: np.random.Generator) -> np.ndarray:
    """(K, h, w) Gaussian blobs at random positions (sigma 1 px)."""
    ys, xs = np.mgrid[:HEATMAP_SIZE, :HEATMAP_SIZE]
    centres = rng.uniform(3, HEATMAP_SIZE - 3, size=(NUM_KEYPOINTS, 2))
    return np.stack([
        np.exp(-((xs - cx)**2 + (ys - cy)**2) / 2.0) for cx, cy in centres
    ]).astype(np.float32)


def make_pair_batch(labeled: Sequence[bool], seed: int = 0) -> Dict:
    """A dataloader batch of flattened pairs [j0, k0, j1, k1, ...].

    Args:
        labeled (Sequence[bool]): ``metainfo['labeled']`` per view; its
            length is the number of views.
        seed (int): Seed of the images and heatmaps.

    Returns:
        dict: ``inputs`` (list of (3, H, W) float tensors in [0, 255], BGR)
        and ``data_samples`` (PoseDataSample with ``gt_fields.heatmaps``,
        ``gt_instance_labels.keypoint_weights`` and the metainfo).
    """
    rng = np.random.default_rng(seed)
    inputs: List[torch.Tensor] = []
    samples: List[PoseDataSample] = []
    for i, is_labeled in enumerate(labeled):
        img = rng.uniform(0, 255, size=(3, HR_SIZE, HR_SIZE))
        inputs.append(torch.tensor(img, dtype=torch.float32))
        sample = PoseDataSample(
            metainfo=dict(
                img_path=f'view_{i}.png',
                labeled=bool(is_labeled),
                input_size=(HR_SIZE, HR_SIZE)))
        sample.gt_fields = PixelData(
            heatmaps=torch.from_numpy(gaussian_heatmaps(rng)))
        # every keypoint weighted 1: for unlabeled views only the
        # metainfo flag (gamma1 = 0, Eq. 10) may remove the heatmap loss
        sample.gt_instance_labels = InstanceData(
            keypoint_weights=torch.ones((1, NUM_KEYPOINTS)))
        samples.append(sample)
    return dict(inputs=inputs, data_samples=samples)
