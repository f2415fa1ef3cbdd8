"""Readers of the official raw dataset layouts into COCO-style face dicts.

The converters in ``tools/dataset_converters`` write these dicts as json; the
datasets read the same dicts in memory when given a raw layout, so a raw
layout and its converted json give identical samples.
"""
from .celeba import collect_celeba
from .face300vw import TEST_CATEGORIES, collect_300vw, load_broken_frames
from .face300w import collect_300w, has_private_test
from .frames import collect_frame_folders
from .wflw import collect_wflw, find_wflw_list

__all__ = [
    'collect_300w', 'has_private_test', 'collect_wflw', 'find_wflw_list',
    'collect_celeba', 'collect_300vw', 'load_broken_frames',
    'TEST_CATEGORIES', 'collect_frame_folders'
]
