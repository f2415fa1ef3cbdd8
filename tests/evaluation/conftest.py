"""Evaluation tests build metrics by name, as configs do, in mmpose's scope."""
import pytest
from mmengine.registry import init_default_scope


@pytest.fixture(autouse=True)
def mmpose_scope():
    init_default_scope('mmpose')
