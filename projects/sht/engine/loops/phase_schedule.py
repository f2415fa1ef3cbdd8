"""The training recipe of SHT (Sec. 4.1) as a schedule of phases.

The paper trains in four steps: (1) DHLN alone with Eq. 4, (2) FPTN with
ground-truth heatmaps, (3) DHLN + FPTN fine-tuned together on labeled data
(Eq. 9), (4) the same with unlabeled faces mixed in (Eq. 9-10). A
:class:`PhaseSchedule` lays such phases end to end on one iteration time
line and answers, for any position on it, which phase is
running. It holds no runner state, so the answer for a position never depends
on how the run got there (a resumed run gets the same answer).
"""
import bisect
from dataclasses import dataclass, field
from typing import (Dict, List, Mapping, Optional, Sequence, Tuple,
                    Union)

# Training mode of the estimator (``SHTEstimator.train_mode``) of each phase
# of the paper's recipe.
PAPER_PHASE_MODES: Dict[str, str] = {
    'dhln': 'dhln',
    'fptn': 'fptn',
    'sht': 'sht',
    'sht_weak': 'sht',
}

# Parameters frozen by default in each phase (prefixes of the estimator's
# parameter names). FPTN pretraining does not run DHLN; freezing it makes
# sure no optimizer (e.g. one with weight decay) moves it either.
DEFAULT_FROZEN: Dict[str, Tuple[str, ...]] = {
    'fptn': ('backbone.', 'neck.', 'head.'),
}


@dataclass(frozen=True)
class TrainingPhase:
    """One phase of the recipe.

    Attributes:
        name (str): Phase name (e.g. ``'sht_weak'``).
        mode (str): Estimator training mode (``'dhln'``, ``'fptn'`` or
            ``'sht'``).
        length (int, optional): Iterations; ``None`` only for the last
            phase ("until the end of training").
        begin (int): First iteration of the phase on the full time line
            (counted from the beginning of the first phase).
        frozen (tuple[str]): Parameter-name prefixes not trained in it.
        norm_eval (tuple[str]): Module-name prefixes whose BatchNorm layers
            stay in eval mode in it (running statistics frozen, batches
            normalised with them), as mmpose backbones' ``norm_eval``.
        train_dataloader (dict | str, optional): Dataloader config used in
            this phase instead of the runner's ``train_dataloader``, or the
            name of a top-level config entry holding one.
    """
    name: str
    mode: str
    length: Optional[int]
    begin: int
    frozen: Tuple[str, ...] = ()
    norm_eval: Tuple[str, ...] = ()
    train_dataloader: Optional[Union[dict, str]] = field(
        default=None, compare=False)

    @property
    def end(self) -> Optional[int]:
        """First iteration after the phase (``None``: open-ended)."""
        return None if self.length is None else self.begin + self.length


def _parse_phase(index: int, spec: dict, begin: int,
                 is_last: bool) -> TrainingPhase:
    """Check one entry of the ``phases`` list and turn it into a phase."""
    where = f'SHTTrainLoop: phases[{index}]'
    if not isinstance(spec, dict):
        raise TypeError(f'{where} must be a dict, got {type(spec).__name__}')
    known = {'name', 'mode', 'frozen', 'norm_eval', 'train_dataloader',
             'iters'}
    unknown = set(spec) - known
    if unknown:
        raise KeyError(f'{where} has unknown keys {sorted(unknown)}; '
                       f'expected some of {sorted(known)}')
    name = spec.get('name')
    if not isinstance(name, str) or not name:
        raise ValueError(f'{where} needs a "name" (e.g. one of '
                         f'{sorted(PAPER_PHASE_MODES)})')
    mode = spec.get('mode', PAPER_PHASE_MODES.get(name))
    if mode not in set(PAPER_PHASE_MODES.values()):
        raise ValueError(
            f'{where} ("{name}") needs a "mode" among '
            f"('dhln', 'fptn', 'sht'), got {mode!r}")
    length = spec.get('iters')
    if length is None and not is_last:
        raise ValueError(f'{where} ("{name}") needs "iters" (only the last '
                         'phase may leave its length open)')
    if length is not None and (not isinstance(length, int)
                               or isinstance(length, bool) or length < 1):
        raise ValueError(f'{where} ("{name}"): "iters" must be a positive '
                         f'int, got {length!r}')
    frozen = spec.get('frozen', DEFAULT_FROZEN.get(name, ()))
    if isinstance(frozen, str) or not all(
            isinstance(prefix, str) for prefix in frozen):
        raise TypeError(f'{where} ("{name}"): "frozen" must be a list of '
                        f'parameter-name prefixes, got {frozen!r}')
    norm_eval = spec.get('norm_eval', ())
    if isinstance(norm_eval, str) or not all(
            isinstance(prefix, str) for prefix in norm_eval):
        raise TypeError(f'{where} ("{name}"): "norm_eval" must be a list of '
                        f'module-name prefixes, got {norm_eval!r}')
    loader = spec.get('train_dataloader')
    if loader is not None and not isinstance(loader, (dict, str)):
        raise TypeError(f'{where} ("{name}"): "train_dataloader" must be a '
                        'dataloader config dict or the name of a config '
                        f'entry, got {type(loader).__name__}')
    if isinstance(loader, dict):
        loader = dict(loader)
    return TrainingPhase(
        name=name,
        mode=mode,
        length=length,
        begin=begin,
        frozen=tuple(frozen),
        norm_eval=tuple(norm_eval),
        train_dataloader=loader)


class PhaseSchedule:
    """Phases laid end to end on an iteration time line.

    Args:
        phases (Sequence[dict]): One dict per phase, in order: ``name``,
            the length in ``iters``, optionally ``mode``, ``frozen``,
            ``norm_eval`` and ``train_dataloader`` (see
            :class:`~sht.engine.loops.SHTTrainLoop`).
        start_phase (str, optional): Name of the phase a run starts in;
            position 0 of the run is the beginning of that phase. Default:
            the first phase.
        end_phase (str, optional): Name of the last phase the run trains
            (the later ones belong to a run that continues from this one's
            checkpoint, with ``start_phase`` after it). Default: the last
            phase.

    Example:
        >>> schedule = PhaseSchedule(
        ...     [dict(name='dhln', iters=3), dict(name='fptn', iters=3),
        ...      dict(name='sht', iters=4), dict(name='sht_weak', iters=4)])
        >>> schedule.phase_at(6).name
        'sht'
    """

    def __init__(self,
                 phases: Sequence[dict],
                 start_phase: Optional[str] = None,
                 end_phase: Optional[str] = None) -> None:
        if not phases:
            raise ValueError('SHTTrainLoop: "phases" is empty')
        parsed: List[TrainingPhase] = []
        begin = 0
        for index, spec in enumerate(phases):
            phase = _parse_phase(index, spec, begin,
                                 index == len(phases) - 1)
            if any(p.name == phase.name for p in parsed):
                raise ValueError(
                    f'SHTTrainLoop: phase name "{phase.name}" is used twice')
            parsed.append(phase)
            begin = phase.end if phase.end is not None else begin
        self.phases: Tuple[TrainingPhase, ...] = tuple(parsed)
        names = [p.name for p in self.phases]
        if start_phase is None:
            start_phase = names[0]
        if start_phase not in names:
            raise ValueError(f'SHTTrainLoop: start_phase "{start_phase}" is '
                             f'not among the phases {names}')
        if end_phase is None:
            end_phase = names[-1]
        if end_phase not in names:
            raise ValueError(f'SHTTrainLoop: end_phase "{end_phase}" is '
                             f'not among the phases {names}')
        first, last = names.index(start_phase), names.index(end_phase)
        if last < first:
            raise ValueError(f'SHTTrainLoop: end_phase "{end_phase}" comes '
                             f'before start_phase "{start_phase}"')
        self.start_phase = start_phase
        self.end_phase = end_phase
        self.offset = self.phases[first].begin
        self.run_phases: Tuple[TrainingPhase, ...] = \
            self.phases[first:last + 1]
        self._begins = [p.begin for p in self.run_phases]

    @property
    def total(self) -> Optional[int]:
        """Iterations of the run from ``start_phase`` to the end of
        ``end_phase`` (``None`` if that phase is open-ended)."""
        end = self.run_phases[-1].end
        return None if end is None else end - self.offset

    def phase_at(self, position: int) -> TrainingPhase:
        """The phase running at ``position`` of the run.

        Args:
            position (int): Iteration index of the run, counted
                from 0 at the beginning of ``start_phase``. Positions past
                ``end_phase`` stay in it.

        Returns:
            TrainingPhase: The phase of that position.
        """
        if position < 0:
            raise ValueError(f'position must be >= 0, got {position}')
        index = bisect.bisect_right(self._begins, position + self.offset) - 1
        return self.run_phases[index]

    def describe(self) -> str:
        """One line per phase: name, mode and position range in the run."""
        lines = []
        for phase in self.run_phases:
            begin = max(phase.begin - self.offset, 0)
            end = ('end' if phase.end is None else
                   str(phase.end - self.offset))
            loader = phase.train_dataloader
            data = ('train_dataloader' if loader is None else
                    loader if isinstance(loader, str) else 'own dataloader')
            lines.append(f'  {phase.name}: mode {phase.mode!r}, iters '
                         f'[{begin}, {end}), data: {data}, frozen: '
                         f'{list(phase.frozen) or "none"}')
        return '\n'.join(lines)


def run_phase_specs(train_cfg: Mapping) -> List[dict]:
    """The phase dicts an ``SHTTrainLoop`` config trains: from its
    ``start_phase`` to its ``end_phase`` (both default to the ends of the
    list), in order.

    Args:
        train_cfg (Mapping): ``dict(type='SHTTrainLoop', phases=[...], ...)``.

    Returns:
        list[dict]: The phases of the run, as given in the config.
    """
    phases = list(train_cfg['phases'])
    names = [p['name'] for p in phases]
    start = names.index(train_cfg.get('start_phase') or names[0])
    end = names.index(train_cfg.get('end_phase') or names[-1])
    return phases[start:end + 1]
