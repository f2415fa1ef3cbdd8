"""Pair and mixed datasets expose the metainfo of the faces they hold: a
``metainfo`` argument reaches the wrapped dataset config, and one that names
other faces is an error (nothing is read: the datasets are lazy)."""
import pytest
from mmpose.datasets.datasets.utils import parse_pose_metainfo

from sht.datasets import (FacePairDataset, LabeledUnlabeledDataset,
                          mmpose_metainfo, sht_metainfo)


def faces(dataset_type='SHTFace300WDataset', **kwargs):
    return dict(type=dataset_type, data_root='nowhere', lazy_init=True,
                **kwargs)


def test_pairs_take_and_check_metainfo():
    wflw = mmpose_metainfo('wflw.py')
    # given to a config without its own: the faces get it
    pairs = FacePairDataset(faces('SHTCelebADataset', num_keypoints=5),
                            metainfo=sht_metainfo('celeba_5pt.py'),
                            lazy_init=True)
    assert pairs.metainfo['dataset_name'] == 'celeba'
    assert pairs.metainfo['num_keypoints'] == 5
    # a config with its own metainfo keeps it, and the two must agree
    with pytest.raises(ValueError, match='FacePairDataset of '
                       'SHTFace300WDataset: metainfo gives '
                       "dataset_name='wflw'"):
        FacePairDataset(faces(metainfo=mmpose_metainfo('300w.py')),
                        metainfo=wflw, lazy_init=True)
    # a built dataset is checked too
    built = FacePairDataset(faces(), lazy_init=True).dataset
    with pytest.raises(ValueError, match="have dataset_name='300w'"):
        FacePairDataset(built, metainfo=wflw, lazy_init=True)
    # a full metainfo dict (as the dataset bases give it) works as well
    full = parse_pose_metainfo(mmpose_metainfo('300w.py'))
    assert FacePairDataset(built, lazy_init=True).metainfo['flip_indices'] \
        == full['flip_indices']


def test_mixed_set_takes_the_labeled_metainfo():
    wflw = mmpose_metainfo('wflw.py')
    mixed = LabeledUnlabeledDataset(
        labeled=dict(type='FacePairDataset',
                     dataset=faces('SHTWFLWDataset'), lazy_init=True),
        unlabeled=dict(type='FacePairDataset',
                       dataset=faces('SHTFrameFolderDataset'),
                       lazy_init=True),
        metainfo=wflw,
        lazy_init=True)
    assert mixed.metainfo['dataset_name'] == 'wflw'
    # the unlabeled frames follow the labeled set's 98 points
    assert mixed.datasets[1].metainfo['num_keypoints'] == 98
    with pytest.raises(ValueError, match='LabeledUnlabeledDataset of '
                       'FacePairDataset'):
        LabeledUnlabeledDataset(
            labeled=dict(type='FacePairDataset',
                         dataset=faces(metainfo=mmpose_metainfo('300w.py')),
                         lazy_init=True),
            unlabeled=dict(type='FacePairDataset',
                           dataset=faces('SHTFrameFolderDataset'),
                           lazy_init=True),
            metainfo=wflw,
            lazy_init=True)
