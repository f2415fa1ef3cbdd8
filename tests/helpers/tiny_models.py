"""Tiny DHLN / SHT model configs, drawn faces and hand-built pair batches.

:data:`TINY_DHLN` (2 stacks of 16 channels, an SR stream of 8) and
:data:`TINY_FPTN` are the sizes every tiny model of the tests uses.
"""
import math
from typing import Dict, List, Optional, Sequence, Tuple

import cv2
import numpy as np
import torch
from mmengine.structures import InstanceData, PixelData
from mmpose.structures import PoseDataSample

# 300W-style 68-point layout of a frontal face in unit coordinates
# (x right, y down, face centre at the origin), in 300W point order.
_EYE_ANGLES = (180, 120, 60, 0, -60, -120)


def _ellipse_points(cx, cy, rx, ry, degrees):
    return [(cx + rx * math.cos(math.radians(a)),
             cy - ry * math.sin(math.radians(a))) for a in degrees]


def face_template() -> np.ndarray:
    """The 68 landmarks of the drawn face, (68, 2) in [-1, 1] units."""
    pts = []
    pts += [(0.8 * math.cos(math.pi - i * math.pi / 16),
             0.1 + 0.8 * math.sin(math.pi - i * math.pi / 16))
            for i in range(17)]                                  # 0-16 jaw
    pts += [(x, -0.5 + 0.3 * (x + 0.375)**2)
            for x in np.linspace(-0.6, -0.15, 5)]                 # 17-21
    pts += [(x, -0.5 + 0.3 * (x - 0.375)**2)
            for x in np.linspace(0.15, 0.6, 5)]                   # 22-26
    pts += [(0.0, y) for y in np.linspace(-0.3, 0.1, 4)]          # 27-30
    pts += [(x, 0.2 - 0.04 * (1 - abs(x) / 0.18))
            for x in np.linspace(-0.18, 0.18, 5)]                 # 31-35
    pts += _ellipse_points(-0.38, -0.25, 0.14, 0.06, _EYE_ANGLES)  # 36-41
    pts += _ellipse_points(0.38, -0.25, 0.14, 0.06, _EYE_ANGLES)   # 42-47
    pts += _ellipse_points(0.0, 0.5, 0.35, 0.15,
                           (180, 150, 120, 90, 60, 30, 0))        # 48-54
    pts += _ellipse_points(0.0, 0.5, 0.35, 0.15,
                           (-30, -60, -90, -120, -150))           # 55-59
    pts += _ellipse_points(0.0, 0.5, 0.2, 0.06,
                           (180, 135, 90, 45, 0, -45, -90, -135))  # 60-67
    return np.asarray(pts, dtype=np.float32)


def draw_face(size: int = 96,
              rng: Optional[np.random.Generator] = None
              ) -> Tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Draw a simple face and return it with its landmarks and box.

    Args:
        size (int): Image side in pixels.
        rng (np.random.Generator, optional): Randomises position, scale,
            rotation and intensities; None gives the canonical face.

    Returns:
        tuple: BGR uint8 image (size, size, 3), keypoints (68, 2) float32
        in pixels, bbox (4,) float32 xyxy around the face.
    """
    angle, scale, shift, skin, bg = 0.0, 0.36 * size, (0.0, 0.0), 185, 60
    if rng is not None:
        angle = rng.uniform(-15, 15)
        scale *= rng.uniform(0.85, 1.1)
        shift = tuple(rng.uniform(-0.06, 0.06, 2) * size)
        skin, bg = int(rng.integers(150, 220)), int(rng.integers(20, 100))
    rot = np.array([[math.cos(math.radians(angle)), -math.sin(
        math.radians(angle))],
                    [math.sin(math.radians(angle)),
                     math.cos(math.radians(angle))]])
    centre = np.array([size / 2 + shift[0], size / 2 + shift[1]])

    def to_px(p):
        return (np.asarray(p, np.float64) @ rot.T) * scale + centre

    kpts = to_px(face_template()).astype(np.float32)
    img = np.full((size, size, 3), bg, np.uint8)
    head = to_px(_ellipse_points(0, 0.05, 0.85, 1.0, range(0, 360, 10)))
    cv2.fillPoly(img, [np.round(head).astype(np.int32)], (skin, ) * 3)
    dark, white = (30, 30, 30), (245, 245, 245)

    def poly(idx: List[int], color, closed=False, fill=False, t=1):
        p = np.round(kpts[idx]).astype(np.int32)
        if fill:
            cv2.fillPoly(img, [p], color)
        else:
            cv2.polylines(img, [p], closed, color, t, cv2.LINE_AA)

    poly(list(range(0, 17)), dark)
    poly(list(range(17, 22)), dark, t=2)
    poly(list(range(22, 27)), dark, t=2)
    poly(list(range(27, 31)), dark)
    poly(list(range(31, 36)), dark)
    poly(list(range(36, 42)), white, fill=True)
    poly(list(range(42, 48)), white, fill=True)
    for c in (kpts[36:42].mean(0), kpts[42:48].mean(0)):
        cv2.circle(img, tuple(int(v) for v in np.round(c)),
                   max(1, size // 48), dark, -1)
    poly(list(range(48, 60)), (60, 60, 170), fill=True)
    poly(list(range(60, 68)), dark, closed=True)
    x0, y0 = kpts.min(0)
    x1, y1 = kpts.max(0)
    bbox = np.array([x0, y0, x1, y1], np.float32)
    return img, kpts, bbox


# ----------------------------------------------------------- tiny configs
#: DHLN sizes of the tiny models (sr_scale follows from the setting)
TINY_DHLN = dict(
    num_stacks=2,
    stack_channels=16,
    hourglass_depth=2,
    sr_channels=8,
    num_sr_blocks=1,
    sr_hidden_channels=8)
#: FPTN sizes of the tiny models (generator, discriminator)
TINY_FPTN = dict(
    generator=dict(base_channels=4, num_blocks=1),
    discriminator=dict(base_channels=4, num_res_blocks=1))

TINY_BACKBONE = dict(type='DHLN', num_keypoints=68, **TINY_DHLN)

PREPROCESSOR = dict(
    type='PoseDataPreprocessor',
    mean=[0., 0., 0.],
    std=[255., 255., 255.],
    bgr_to_rgb=True)


def tiny_model_cfg(hr_size: int = 64,
                   lr_size: int = 8,
                   lr_upsample_to: Optional[int] = 32,
                   **backbone_overrides) -> Dict:
    """A tiny DHLNEstimator config.

    The defaults mirror the CelebA/Helen setting at half size
    (HR 64 -> 8 -> bicubic up to 32, SR x2, 32x32 heatmaps).
    """
    dhln_in = lr_upsample_to or lr_size
    backbone = dict(TINY_BACKBONE, sr_scale=hr_size // dhln_in)
    backbone.update(backbone_overrides)
    codec = dict(
        type='MSRAHeatmap',
        input_size=(hr_size, hr_size),
        heatmap_size=(dhln_in, dhln_in),
        sigma=1)
    return dict(
        type='DHLNEstimator',
        lr_size=lr_size,
        lr_upsample_to=lr_upsample_to,
        data_preprocessor=PREPROCESSOR,
        backbone=backbone,
        head=dict(
            type='DHLNHead',
            num_keypoints=68,
            gamma_heatmap=1.0,
            gamma_sr=0.01,
            gamma_grad=0.01,
            decoder=codec),
        test_cfg=dict(flip_test=False))


def face_pipeline(codec: Dict, train: bool = True) -> List[Dict]:
    """mmpose top-down pipeline for in-memory faces."""
    steps = [
        dict(type='GetBBoxCenterScale', padding=1.25),
        dict(type='TopdownAffine', input_size=codec['input_size'])
    ]
    if train:
        steps.append(dict(type='GenerateTarget', encoder=codec))
    steps.append(dict(type='PackPoseInputs'))
    return steps


def make_face_batch(model, codec: Dict, dataset_meta: Dict, num: int,
                    seed: int = 0, train: bool = True,
                    img_size: int = 96) -> Tuple[object, list, np.ndarray]:
    """Drawn faces through the mmpose pipeline and data preprocessor.

    Returns:
        tuple: (inputs (N, 3, H, W) float in [0, 1], data_samples,
        keypoints (N, 68, 2) in image pixels).
    """
    from mmcv.transforms import Compose
    from mmengine.dataset import pseudo_collate
    from mmengine.registry import init_default_scope
    init_default_scope('mmpose')
    pipeline = Compose(face_pipeline(codec, train))
    rng = np.random.default_rng(seed)
    items, all_kpts = [], []
    for i in range(num):
        img, kpts, bbox = draw_face(img_size, rng)
        info = dict(
            img=img,
            img_shape=img.shape[:2],
            ori_shape=img.shape[:2],
            img_path=f'face_{i}.png',
            id=i,
            img_id=i,
            category_id=1,
            bbox=bbox[None],
            bbox_score=np.ones(1, np.float32),
            keypoints=kpts[None],
            keypoints_visible=np.ones((1, 68), np.float32))
        info.update(dataset_meta)
        items.append(pipeline(info))
        all_kpts.append(kpts)
    batch = model.data_preprocessor(pseudo_collate(items), training=train)
    return batch['inputs'], batch['data_samples'], np.stack(all_kpts)


# ------------------------------------------------------- tiny SHT models
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
        **TINY_FPTN,
        gan_loss=dict(gan_type='lsgan'))
    fptn.update(fptn_overrides or {})
    return dict(
        type='SHTEstimator',
        train_mode=train_mode,
        lr_size=8,
        lr_upsample_to=HEATMAP_SIZE,
        data_preprocessor=PREPROCESSOR,
        backbone=dict(
            type='DHLN',
            num_keypoints=NUM_KEYPOINTS,
            **TINY_DHLN,
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
