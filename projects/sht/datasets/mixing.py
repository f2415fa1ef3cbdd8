"""Labeled + unlabeled training data for weakly-supervised SHT (Eq. 9-10).

Eq. 9 sums the SHT objective over N labeled and M unlabeled faces; Eq. 10
drops the heatmap term for the unlabeled ones (their ``labeled`` flag is
``False``). :class:`LabeledUnlabeledDataset` puts both sets in one dataset
(labeled first); :class:`MixedRatioSampler` orders its indices so that each
batch holds a fixed number of labeled and unlabeled items.
"""
import copy
import math
from typing import Iterator, List, Optional, Union

import numpy as np
from mmengine.dist import get_dist_info, sync_random_seed
from mmpose.registry import DATA_SAMPLERS, DATASETS
from torch.utils.data import ConcatDataset as TorchConcatDataset
from torch.utils.data import Dataset, Sampler

from .metainfo import check_same_faces, inherit_metainfo


def _metainfo_source(dataset) -> Optional[dict]:
    """The metainfo a face dataset was built with (through wrappers)."""
    while dataset is not None:
        source = getattr(dataset, 'metainfo_source', None)
        if source is not None:
            return source
        dataset = getattr(dataset, 'dataset', None)
    return None


@DATASETS.register_module()
class LabeledUnlabeledDataset(TorchConcatDataset):
    """One training set from a labeled and an unlabeled dataset.

    Indices ``[0, labeled_size)`` are the labeled items, the rest the
    unlabeled ones. An unlabeled dataset config without its own ``metainfo``
    takes the labeled set's, so both share one keypoint layout (K heatmap
    channels; the unlabeled keypoints are zeros). Works with plain face
    datasets and with ``FacePairDataset`` wrappers.

    Args:
        labeled (dict | Dataset): Labeled dataset (or a ``FacePairDataset``
            of one).
        unlabeled (dict | Dataset): Unlabeled dataset (``labeled=False``).
        lazy_init (bool): Defer loading. Default ``False``.
        metainfo (dict, optional): mmpose metainfo of the labeled faces
            (a dict or ``dict(from_file=...)``), given to a ``labeled``
            config without its own and checked against a built one; mmpose's
            ``init_model`` reads it from the config when this is the
            training set. Default: the labeled set's.
    """

    def __init__(self,
                 labeled: Union[dict, Dataset],
                 unlabeled: Union[dict, Dataset],
                 lazy_init: bool = False,
                 metainfo: Optional[dict] = None) -> None:
        if isinstance(labeled, dict) and metainfo is not None:
            labeled = inherit_metainfo(labeled, metainfo)
        labeled_set = (
            DATASETS.build(labeled) if isinstance(labeled, dict) else labeled)
        check_same_faces(
            metainfo, labeled_set.metainfo,
            f'LabeledUnlabeledDataset of {type(labeled_set).__name__}')
        if isinstance(unlabeled, dict):
            source = _metainfo_source(labeled_set)
            if source is not None:
                unlabeled = inherit_metainfo(unlabeled, source)
            unlabeled = DATASETS.build(unlabeled)
        k_lab = labeled_set.metainfo.get('num_keypoints')
        k_unl = unlabeled.metainfo.get('num_keypoints')
        if k_lab != k_unl:
            raise ValueError(
                f'labeled set {type(labeled_set).__name__} has {k_lab} '
                f'keypoints but unlabeled set {type(unlabeled).__name__} has '
                f'{k_unl}: give the unlabeled set the same metainfo')
        self.datasets = [labeled_set, unlabeled]
        self._metainfo = labeled_set.metainfo
        self._fully_initialized = False
        if not lazy_init:
            self.full_init()

    @property
    def metainfo(self) -> dict:
        """The labeled set's metainfo."""
        return copy.deepcopy(self._metainfo)

    def full_init(self) -> None:
        """Load both datasets and index them."""
        if self._fully_initialized:
            return
        for dataset in self.datasets:
            if hasattr(dataset, 'full_init'):
                dataset.full_init()
        super().__init__(self.datasets)
        self._fully_initialized = True

    def get_data_info(self, idx: int) -> dict:
        """The sample ``idx`` of the labeled (first) or unlabeled set."""
        self.full_init()
        which = int(idx >= self.cumulative_sizes[0])
        local = idx - (self.cumulative_sizes[0] if which else 0)
        return self.datasets[which].get_data_info(local)

    def __len__(self) -> int:
        self.full_init()
        return super().__len__()

    def __getitem__(self, idx: int):
        self.full_init()
        return super().__getitem__(idx)

    @property
    def labeled_size(self) -> int:
        """Number of labeled items (they come first)."""
        return len(self.datasets[0])

    @property
    def unlabeled_size(self) -> int:
        """Number of unlabeled items."""
        return len(self.datasets[1])


@DATA_SAMPLERS.register_module()
class MixedRatioSampler(Sampler):
    """Batches with a fixed labeled : unlabeled ratio.

    Yields indices of a :class:`LabeledUnlabeledDataset` (anything with
    ``labeled_size`` and ``unlabeled_size``) in blocks of ``batch_size``:
    ``n_l = round(batch_size * labeled_ratio)`` labeled then
    ``batch_size - n_l`` unlabeled. Each side is a stream of permutations
    (``shuffle``) or of ``0..n-1``, repeated as needed; the smaller side
    repeats within an epoch.

    The order depends only on ``seed`` and the epoch (``set_epoch``), with
    its own generators (no global RNG state). Under DDP, global batch ``b``
    goes to rank ``b % world_size``, so ranks get disjoint shares.

    Args:
        dataset: The mixed dataset.
        batch_size (int): Items per batch on one rank; must equal the
            dataloader's ``batch_size``.
        labeled_ratio (float): Share of labeled items per batch, in [0, 1].
        shuffle (bool): Shuffle each side. Default ``True``.
        seed (int, optional): Base seed (synchronised across ranks when
            ``None``).
        epoch_length (str | int): Batches per epoch (over all ranks):
            ``'max'`` (default; both sides seen at least once),
            ``'labeled'``, ``'unlabeled'`` (that side seen once), or an int;
            rounded up to a multiple of the world size.
    """

    def __init__(self,
                 dataset,
                 batch_size: int,
                 labeled_ratio: float = 0.5,
                 shuffle: bool = True,
                 seed: Optional[int] = None,
                 epoch_length: Union[str, int] = 'max') -> None:
        for attr in ('labeled_size', 'unlabeled_size'):
            if not hasattr(dataset, attr):
                raise TypeError(
                    f'MixedRatioSampler needs a dataset with {attr} (e.g. '
                    f'LabeledUnlabeledDataset), got {type(dataset).__name__}')
        if batch_size < 1:
            raise ValueError(f'batch_size must be >= 1, got {batch_size}')
        if not 0.0 <= labeled_ratio <= 1.0:
            raise ValueError(
                f'labeled_ratio must be in [0, 1], got {labeled_ratio}')
        self.dataset = dataset
        self.batch_size = int(batch_size)
        self.num_labeled_items = int(dataset.labeled_size)
        self.num_unlabeled_items = int(dataset.unlabeled_size)
        n_l = int(round(batch_size * labeled_ratio))
        if 0 < labeled_ratio < 1 and batch_size > 1:
            n_l = min(max(n_l, 1), batch_size - 1)
        self.labeled_per_batch = n_l
        self.unlabeled_per_batch = batch_size - n_l
        if n_l and not self.num_labeled_items:
            raise ValueError('labeled_ratio > 0 but the labeled set is empty')
        if self.unlabeled_per_batch and not self.num_unlabeled_items:
            raise ValueError('labeled_ratio < 1 but the unlabeled set is '
                             'empty')
        self.shuffle = shuffle
        seed = sync_random_seed() if seed is None else int(seed)
        self.seed = seed & 0xFFFFFFFFFFFFFFFF  # SeedSequence needs >= 0
        self.rank, self.world_size = get_dist_info()
        self.epoch = 0
        self.total_batches = self._count_batches(epoch_length)
        self.total_batches = self.world_size * math.ceil(
            self.total_batches / self.world_size)

    def _count_batches(self, epoch_length: Union[str, int]) -> int:
        if isinstance(epoch_length, int):
            if epoch_length < 1:
                raise ValueError('epoch_length must be >= 1')
            return epoch_length
        per_side = []
        if self.labeled_per_batch and epoch_length in ('max', 'labeled'):
            per_side.append(
                math.ceil(self.num_labeled_items / self.labeled_per_batch))
        if self.unlabeled_per_batch and epoch_length in ('max', 'unlabeled'):
            per_side.append(
                math.ceil(self.num_unlabeled_items /
                          self.unlabeled_per_batch))
        if epoch_length not in ('max', 'labeled', 'unlabeled'):
            raise ValueError('epoch_length must be "max", "labeled", '
                             f'"unlabeled" or an int, got {epoch_length!r}')
        if not per_side:
            raise ValueError(f'epoch_length="{epoch_length}" but that side '
                             'has no items per batch')
        return max(per_side)

    def _stream(self, size: int, length: int, stream_id: int) -> np.ndarray:
        """``length`` indices from repeated permutations of ``range(size)``.
        """
        if length == 0:
            return np.zeros(0, dtype=np.int64)
        rng = np.random.default_rng(
            np.random.SeedSequence([self.seed, self.epoch, stream_id]))
        chunks: List[np.ndarray] = []
        total = 0
        while total < length:
            chunk = (
                rng.permutation(size) if self.shuffle else np.arange(size))
            chunks.append(chunk)
            total += size
        return np.concatenate(chunks)[:length]

    def __iter__(self) -> Iterator[int]:
        n_l, n_u = self.labeled_per_batch, self.unlabeled_per_batch
        labeled = self._stream(self.num_labeled_items,
                               self.total_batches * n_l, 0)
        unlabeled = self._stream(self.num_unlabeled_items,
                                 self.total_batches * n_u, 1)
        unlabeled = unlabeled + self.num_labeled_items
        for b in range(self.rank, self.total_batches, self.world_size):
            yield from labeled[b * n_l:(b + 1) * n_l].tolist()
            yield from unlabeled[b * n_u:(b + 1) * n_u].tolist()

    def __len__(self) -> int:
        return (self.total_batches // self.world_size) * self.batch_size

    def set_epoch(self, epoch: int) -> None:
        """Set the epoch (changes the order deterministically)."""
        self.epoch = int(epoch)
