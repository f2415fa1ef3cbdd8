"""A tiny end-to-end setup for the tool tests: a 300W-style fixture dataset
(COCO json with subset tags, :func:`helpers.fixture_sets.write_fixture_dataset`),
a config of a very small DHLN and a randomly initialised checkpoint of it."""
from pathlib import Path
from typing import Dict

from helpers.fixture_sets import write_fixture_dataset

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
