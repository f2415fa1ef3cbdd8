"""Per-phase training data for iteration-based runs.

mmengine's ``IterBasedTrainLoop`` fetches the batch of an iteration *before*
the iteration's hooks run, and a resumed run re-reads (and discards) the
batches of every finished iteration to put the data order back where it
was. So the data of a phase can neither be switched in ``before_train_iter``
nor in ``before_train`` of a resumed run without changing which batches the
run sees. :class:`PhaseDataIterator` replaces the loop's iterator and picks
the dataloader of each batch from the position of that batch on the phase
time line: the uninterrupted run and the resumed one (whose catch-up reads
go through it too) fetch identical batch sequences.
"""
from typing import Callable, Dict, Iterator, Optional, Sequence

from mmengine.logging import print_log
from mmengine.runner.loops import _InfiniteDataloaderIterator
from torch.utils.data import DataLoader

from .phase_schedule import PhaseSchedule, TrainingPhase


class PhaseDataIterator:
    """An infinite batch iterator that follows the phase schedule.

    Args:
        schedule (PhaseSchedule): The phases.
        default_iterator (Iterator): The loop's own iterator (over the
            runner's ``train_dataloader``), used by phases without a
            ``train_dataloader`` of their own.
        build_dataloader (Callable[[TrainingPhase], DataLoader]): Builds
            the dataloader of a phase that has its own (the runner's
            ``build_dataloader`` with the run's seed).
        start (int): Position of the next batch in the run (0 when the
            loop starts, including a resumed loop, which re-reads the
            finished iterations' batches itself).

    Each phase with its own ``train_dataloader`` gets one dataloader, built
    the first time a batch of that phase is fetched, and one infinite
    iterator over it; phases sharing the default data share one iterator.
    """

    def __init__(self,
                 schedule: PhaseSchedule,
                 default_iterator: Iterator,
                 build_dataloader: Callable[[TrainingPhase], DataLoader],
                 start: int = 0) -> None:
        self.schedule = schedule
        self.default_iterator = default_iterator
        self.build_dataloader = build_dataloader
        self.position = int(start)
        self.dataloaders: Dict[str, DataLoader] = {}
        self._iterators: Dict[str, Iterator] = {}

    def __iter__(self) -> 'PhaseDataIterator':
        return self

    def dataloader_of(self, phase_name: str) -> Optional[DataLoader]:
        """The dataloader built for a phase (None if it has none or none was
        built yet)."""
        return self.dataloaders.get(phase_name)

    def _iterator_for(self, position: int) -> Iterator:
        phase = self.schedule.phase_at(position)
        if phase.train_dataloader is None:
            return self.default_iterator
        if phase.name not in self._iterators:
            loader = self.build_dataloader(phase)
            print_log(
                f'SHTPhaseHook: phase "{phase.name}" reads its own '
                f'train_dataloader ({len(loader)} batches per epoch)',
                logger='current')
            self.dataloaders[phase.name] = loader
            self._iterators[phase.name] = _InfiniteDataloaderIterator(loader)
        return self._iterators[phase.name]

    def __next__(self) -> Sequence[dict]:
        batch = next(self._iterator_for(self.position))
        self.position += 1
        return batch
