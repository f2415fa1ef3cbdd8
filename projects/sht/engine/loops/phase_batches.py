"""Batches of a phased run: one infinite iterator per dataloader.

The batch of iteration ``i`` of a run comes from the dataloader of the
phase ``i`` belongs to, and every dataloader is read by one iterator in
order. So the batch sequence is a function of the schedule alone: a resumed
run that reads (and discards) the batches of its finished iterations again
through a fresh :class:`PhaseBatches` is where the uninterrupted run was.
"""
import logging
import time
from typing import Callable, Dict, Iterator, Optional, Sequence

from mmengine.logging import print_log
from torch.utils.data import DataLoader

from .phase_schedule import PhaseSchedule, TrainingPhase


class InfiniteBatches:
    """Batches of a dataloader, epoch after epoch.

    With an infinite sampler (``InfiniteSampler``, ``MixedRatioSampler``)
    this is the dataloader's own iterator. A finite one is started again
    when it ends, after the sampler's ``set_epoch(epoch)`` (a new shuffle
    for mmengine's ``DefaultSampler``), as mmengine's iteration-based loop
    does.

    Args:
        dataloader (DataLoader): The dataloader.
    """

    def __init__(self, dataloader: DataLoader) -> None:
        self.dataloader = dataloader
        self.epoch = 0
        self._iterator: Iterator = iter(dataloader)

    def __iter__(self) -> 'InfiniteBatches':
        return self

    def _set_epoch(self) -> None:
        for sampler in (getattr(self.dataloader, 'sampler', None),
                        getattr(getattr(self.dataloader, 'batch_sampler',
                                        None), 'sampler', None)):
            if hasattr(sampler, 'set_epoch'):
                sampler.set_epoch(self.epoch)
                return

    def __next__(self) -> Sequence[dict]:
        try:
            return next(self._iterator)
        except StopIteration:
            self.epoch += 1
            print_log(
                f'a phase dataloader ended; epoch {self.epoch} of it begins '
                '(an infinite sampler such as InfiniteSampler avoids the '
                'worker restart)',
                logger='current',
                level=logging.WARNING)
            self._set_epoch()
            if self.dataloader.num_workers > 0:
                time.sleep(2)  # let the old workers exit first
            self._iterator = iter(self.dataloader)
            return next(self._iterator)


class PhaseBatches:
    """The batches of a run, each from the dataloader of its phase.

    Args:
        schedule (PhaseSchedule): The phases.
        default_loader (DataLoader): The runner's ``train_dataloader``, read
            by the phases without one of their own (one iterator for all of
            them).
        build_loader (Callable[[TrainingPhase], DataLoader]): Builds the
            dataloader of a phase that has its own; called the first time a
            batch of that phase is needed.

    ``next()`` gives the batch of iteration :attr:`position` (0 first) and
    moves on by one.
    """

    def __init__(self, schedule: PhaseSchedule, default_loader: DataLoader,
                 build_loader: Callable[[TrainingPhase], DataLoader]) -> None:
        self.schedule = schedule
        self.default_loader = default_loader
        self.build_loader = build_loader
        self.position = 0
        self.dataloaders: Dict[str, DataLoader] = {}
        self._iterators: Dict[Optional[str], InfiniteBatches] = {}

    def __iter__(self) -> 'PhaseBatches':
        return self

    def start_default(self) -> None:
        """Start the iterator of the default dataloader now rather than at
        the first batch that needs it (idempotent)."""
        if None not in self._iterators:
            self._iterators[None] = InfiniteBatches(self.default_loader)

    def _iterator_of(self, phase: TrainingPhase) -> InfiniteBatches:
        if phase.train_dataloader is None:
            self.start_default()
            return self._iterators[None]
        if phase.name not in self._iterators:
            loader = self.build_loader(phase)
            self.dataloaders[phase.name] = loader
            print_log(
                f'SHT phase "{phase.name}" reads its own '
                f'train_dataloader ({len(loader)} batches per epoch)',
                logger='current')
            self._iterators[phase.name] = InfiniteBatches(loader)
        return self._iterators[phase.name]

    def __next__(self) -> Sequence[dict]:
        phase = self.schedule.phase_at(self.position)
        batch = next(self._iterator_of(phase))
        self.position += 1
        return batch
