"""Fixtures shared by the DHLN tests."""
from typing import Dict

import pytest
import torch


@pytest.fixture(autouse=True)
def single_thread():
    """Tiny models run fastest on one thread (and do not stall when other
    processes share the cores); the previous setting is restored after."""
    previous = torch.get_num_threads()
    torch.set_num_threads(1)
    yield
    torch.set_num_threads(previous)


@pytest.fixture(scope='session')
def dataset_meta() -> Dict:
    """mmpose's 300W metainfo (68 points, flip pairs)."""
    from mmpose.datasets.datasets.utils import parse_pose_metainfo
    return parse_pose_metainfo(
        dict(from_file='configs/_base_/datasets/300w.py'))
