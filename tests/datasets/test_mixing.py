"""Labeled + unlabeled mixing (Eq. 9-10): per-batch ratio, determinism,
DDP shares, and one mixed dataloader end to end."""
import numpy as np
import pytest
from mmengine.registry import init_default_scope
from mmengine.runner import Runner
from mmpose.registry import DATASETS

import sht.datasets.mixing as mixing
from sht.datasets import MixedRatioSampler, sht_metainfo


class Sizes:
    """Stand-in for a mixed dataset: only the two sizes matter."""

    def __init__(self, labeled, unlabeled):
        self.labeled_size, self.unlabeled_size = labeled, unlabeled

    def __len__(self):
        return self.labeled_size + self.unlabeled_size


def batches(sampler, batch_size):
    order = list(sampler)
    assert len(order) == len(sampler)
    return [order[i:i + batch_size] for i in range(0, len(order), batch_size)]


def test_ratio_per_batch_and_coverage():
    sampler = MixedRatioSampler(
        Sizes(10, 37), batch_size=8, labeled_ratio=0.25, seed=3)
    # 2 labeled + 6 unlabeled per batch; max(ceil(10/2), ceil(37/6)) = 7
    assert len(sampler) == 7 * 8
    got = batches(sampler, 8)
    for batch in got:
        assert all(i < 10 for i in batch[:2])
        assert all(10 <= i < 47 for i in batch[2:])
    labeled = [i for b in got for i in b[:2]]
    unlabeled = [i for b in got for i in b[2:]]
    assert sorted(labeled[:10]) == list(range(10))  # a permutation first
    assert set(unlabeled) == set(range(10, 47))  # every unlabeled item seen
    assert sorted(unlabeled[:37]) == list(range(10, 47))


@pytest.mark.parametrize('ratio,batch,n_labeled', [(1.0, 4, 4), (0.0, 4, 0),
                                                   (0.01, 4, 1),
                                                   (0.99, 4, 3),
                                                   (0.5, 6, 3)])
def test_labeled_count_per_batch(ratio, batch, n_labeled):
    sampler = MixedRatioSampler(
        Sizes(5, 9), batch_size=batch, labeled_ratio=ratio, seed=0)
    for b in batches(sampler, batch):
        assert sum(i < 5 for i in b) == n_labeled


def test_deterministic_given_seed_and_epoch():
    def make():
        return MixedRatioSampler(
            Sizes(10, 37), batch_size=8, labeled_ratio=0.5, seed=11)

    a, b = make(), make()
    np.random.seed(123)  # the global RNG has no influence...
    first = list(a)
    np.random.seed(999)
    assert list(b) == first
    assert list(a) == first  # ...and iterating again repeats the epoch
    a.set_epoch(1)
    second = list(a)
    assert second != first
    resumed = make()
    resumed.set_epoch(1)
    assert list(resumed) == second
    np.random.seed(0)
    _, key, pos, _, _ = np.random.get_state()
    list(resumed)  # the sampler does not consume the global RNG
    _, key_after, pos_after, _, _ = np.random.get_state()
    np.testing.assert_array_equal(key_after, key)
    assert pos_after == pos


def test_ddp_ranks_get_disjoint_shares(monkeypatch):
    kwargs = dict(batch_size=4, labeled_ratio=0.5, seed=5)
    dataset = Sizes(6, 13)  # max(ceil(6/2), ceil(13/2)) = 7 -> 8 batches
    per_rank = []
    for rank in (0, 1):
        monkeypatch.setattr(mixing, 'get_dist_info', lambda r=rank: (r, 2))
        sampler = MixedRatioSampler(dataset, **kwargs)
        assert len(sampler) == 4 * 4
        per_rank.append(batches(sampler, 4))
    monkeypatch.setattr(mixing, 'get_dist_info', lambda: (0, 1))
    single = batches(MixedRatioSampler(dataset, epoch_length=8, **kwargs), 4)
    interleaved = [b for pair in zip(*per_rank) for b in pair]
    assert interleaved == single  # global batch g goes to rank g % 2


def test_bad_sampler_arguments():
    with pytest.raises(TypeError, match='labeled_size'):
        MixedRatioSampler([1, 2, 3], batch_size=2)
    with pytest.raises(ValueError, match='labeled_ratio'):
        MixedRatioSampler(Sizes(2, 2), batch_size=2, labeled_ratio=1.5)
    with pytest.raises(ValueError, match='unlabeled set is empty'):
        MixedRatioSampler(Sizes(2, 0), batch_size=2, labeled_ratio=0.5)


PIPE = [
    dict(type='LoadFaceImage'),
    dict(type='GetBBoxCenterScale'),
    dict(type='RandomPairView'),
    dict(type='TopdownAffine', input_size=(64, 64)),
    dict(
        type='GenerateTarget',
        encoder=dict(
            type='MSRAHeatmap',
            input_size=(64, 64),
            heatmap_size=(16, 16),
            sigma=1)),
    dict(type='PackFaceInputs')
]


def image_pairs(**dataset):
    """Image pairs (two views of one face, through PIPE) of ``dataset``."""
    return dict(type='FacePairDataset', pair_mode='image',
                dataset=dict(dataset, serialize_data=False), pipeline=PIPE)


def mixed_cfg(face300w, celeba, **unlabeled_extra):
    return dict(
        type='LabeledUnlabeledDataset',
        labeled=image_pairs(
            type='SHTFace300WDataset', data_root=face300w, raw_split='train'),
        unlabeled=image_pairs(
            type='SHTCelebADataset', data_root=celeba, raw_split='all',
            labeled=False, **unlabeled_extra))


def test_mixed_pairs_dataloader(face300w_root, celeba_root):
    mixed = DATASETS.build(mixed_cfg(face300w_root[0], celeba_root[0]))
    assert (mixed.labeled_size, mixed.unlabeled_size) == (3, 5)
    # the unlabeled CelebA faces took 300W's 68-point layout: K zeros
    info = mixed.get_data_info(3)
    assert info['labeled'] is False and info['keypoints'].shape == (1, 68, 2)
    assert not info['keypoints'].any()
    init_default_scope('mmpose')
    loader = Runner.build_dataloader(
        dict(
            batch_size=4,
            num_workers=0,
            sampler=dict(
                type='MixedRatioSampler',
                batch_size=4,
                labeled_ratio=0.5,
                seed=0),
            collate_fn=dict(type='pair_collate'),
            dataset=mixed))
    assert len(loader) == 3  # max(ceil(3/2), ceil(5/2))
    for batch in loader:
        samples = batch['data_samples']
        assert len(batch['inputs']) == len(samples) == 8
        labeled = [s.metainfo['labeled'] for s in samples]
        assert labeled == [True] * 4 + [False] * 4
        assert [s.metainfo['view'] for s in samples] == [0, 1] * 4
        assert {tuple(x.shape) for x in batch['inputs']} == {(3, 64, 64)}
        assert {tuple(s.gt_fields.heatmaps.shape) for s in samples} == {
            (68, 16, 16)
        }
        weights = [float(s.gt_instance_labels.keypoint_weights.sum())
                   for s in samples]
        assert all(w > 0 for w in weights[:4])
        assert all(w == 0 for w in weights[4:])


def test_keypoint_layouts_must_match(face300w_root, celeba_root):
    cfg = mixed_cfg(face300w_root[0], celeba_root[0],
                    metainfo=sht_metainfo('celeba_5pt.py'))
    with pytest.raises(ValueError, match='68 keypoints.*has 5'):
        DATASETS.build(cfg)
