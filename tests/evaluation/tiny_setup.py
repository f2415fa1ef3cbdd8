"""A tiny end-to-end setup for the tool tests: a 300W-style fixture dataset
(COCO json with subset tags), a config of a very small DHLN and a randomly
initialised checkpoint of it."""
import json
from pathlib import Path
from typing import Dict, List

import cv2
import numpy as np

#: subset tags of the fixture faces (300W-style: common / challenging,
#: both in full)
FIXTURE_SUBSETS = [['common', 'full'], ['common', 'full'],
                   ['challenging', 'full'], ['common', 'full'],
                   ['challenging', 'full'], ['common', 'full']]

CONFIG = """
default_scope = 'mmpose'
custom_imports = dict(imports=['sht'], allow_failed_imports=False)
hr_size = 32
codec = dict(type='MSRAHeatmap', input_size=(hr_size, hr_size),
             heatmap_size=(16, 16), sigma=1)
model = dict(
    type='DHLNEstimator',
    lr_size=8,
    lr_upsample_to=16,
    data_preprocessor=dict(type='PoseDataPreprocessor', mean=[0., 0., 0.],
                           std=[255., 255., 255.], bgr_to_rgb=True),
    backbone=dict(type='DHLN', num_keypoints=68, num_stacks=1,
                  stack_channels=16, hourglass_depth=1, sr_channels=8,
                  num_sr_blocks=1, sr_hidden_channels=8, sr_scale=2),
    head=dict(type='DHLNHead', num_keypoints=68, decoder=codec),
    test_cfg=dict(flip_test=False))
test_pipeline = [
    dict(type='LoadFaceImage'),
    dict(type='GetBBoxCenterScale'),
    dict(type='TopdownAffine', input_size=(hr_size, hr_size)),
    dict(type='PackFaceInputs'),
]
test_dataloader = dict(
    batch_size=4, num_workers=0, persistent_workers=False,
    sampler=dict(type='DefaultSampler', shuffle=False),
    dataset=dict(type='SHTFace300WDataset', data_root='{data_root}',
                 ann_file='faces.json', data_prefix=dict(img='images/'),
                 test_mode=True, pipeline=test_pipeline))
test_evaluator = [
    dict(type='FaceLandmarkMetric', norm_modes=('io', 'ip', 'box', 'wid'),
         thresholds=(0.1, 0.85)),
    dict(type='HallucinationMetric'),
]
test_cfg = dict()
env_cfg = dict(cudnn_benchmark=False, dist_cfg=dict(backend='gloo'),
               mp_cfg=dict(mp_start_method='fork', opencv_num_threads=0))
log_level = 'INFO'
"""


def write_fixture_dataset(root: Path, size: int = 48,
                          seed: int = 0) -> List[Dict]:
    """Write images and a COCO-style json with 68 landmarks per face.

    Returns:
        list[dict]: The annotations written.
    """
    rng = np.random.default_rng(seed)
    (root / 'images').mkdir(parents=True, exist_ok=True)
    images, annotations = [], []
    yy, xx = np.mgrid[0:size, 0:size]
    for i, subsets in enumerate(FIXTURE_SUBSETS):
        img = np.stack([(xx * 4 + 40 * i) % 256, (yy * 5) % 256,
                        ((xx + yy) * 3) % 256], -1).astype(np.uint8)
        img = np.clip(img + rng.normal(0, 20, img.shape), 0,
                      255).astype(np.uint8)
        name = f'face_{i}.png'
        cv2.imwrite(str(root / 'images' / name), img)
        kpts = rng.uniform(8, size - 8, size=(68, 2))
        centre = (kpts.min(0) + kpts.max(0)) / 2
        side = float(np.ceil((kpts.max(0) - kpts.min(0)).max()))
        images.append(dict(id=i, file_name=name, height=size, width=size))
        annotations.append(
            dict(
                id=i,
                image_id=i,
                category_id=1,
                iscrowd=0,
                num_keypoints=68,
                keypoints=np.concatenate([kpts, np.full((68, 1), 2.0)],
                                         1).reshape(-1).tolist(),
                center=centre.tolist(),
                scale=side / 200.0,
                bbox=[
                    float(centre[0] - side / 2),
                    float(centre[1] - side / 2), side, side
                ],
                area=side * side,
                subsets=subsets))
    with open(root / 'faces.json', 'w') as f:
        json.dump(
            dict(
                images=images,
                annotations=annotations,
                categories=[dict(id=1, name='face')]), f)
    return annotations


def write_tiny_setup(root: Path) -> Dict[str, Path]:
    """Fixture dataset, config and random checkpoint under ``root``.

    Returns:
        dict: paths ``config``, ``checkpoint``, ``data_root``.
    """
    import torch
    from mmengine.config import Config
    from mmengine.registry import init_default_scope
    from mmpose.registry import MODELS

    import sht  # noqa: F401

    data_root = root / 'data'
    write_fixture_dataset(data_root)
    config = root / 'tiny_dhln.py'
    config.write_text(CONFIG.replace('{data_root}', str(data_root)))
    init_default_scope('mmpose')
    torch.manual_seed(0)
    model = MODELS.build(Config.fromfile(str(config)).model)
    checkpoint = root / 'tiny_dhln.pth'
    torch.save(dict(state_dict=model.state_dict(), meta=dict()), checkpoint)
    return dict(config=config, checkpoint=checkpoint, data_root=data_root)
