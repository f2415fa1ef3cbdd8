"""Fixtures of the model tests."""
from typing import Dict

import pytest


@pytest.fixture(scope='session')
def dataset_meta() -> Dict:
    """mmpose's 300W metainfo (68 points, flip pairs)."""
    from mmpose.datasets.datasets.utils import parse_pose_metainfo
    return parse_pose_metainfo(
        dict(from_file='configs/_base_/datasets/300w.py'))
