"""``SHTTrainLoop``: the SHT training recipe (Sec. 4.1) as one train loop.

Paper, Sec. 4.1: "For DHLN, we initially train it [...] with the
corresponding loss function defined in Eq. (4). [...] FPTN is first trained
using ground-truth landmark heatmaps [...] we construct SHT by combining the
pretrained DHLN and FPTN and then finetune the combined model [...] For the
weakly-supervised SHT, we extend the finetuning process by utilizing face
images or videos without landmark annotations."

The loop runs these phases one after the other in one iteration-based run.
It never counts phase changes: before every iteration it derives the phase
from the iteration and applies it idempotently (the estimator's
``train_mode``, the frozen parameters, the BatchNorm layers kept in eval
mode), and it reads the iteration's batch from that phase's dataloader
(:class:`~.phase_batches.PhaseBatches`). A resumed run therefore lands in
the phase of its checkpoint and reads the same batches as an uninterrupted
one. A NaN or inf loss stops the run with a ``FloatingPointError`` naming
the phase, the iteration, the loss term and the newest good checkpoint,
with the command that resumes from it (:mod:`sht.engine.divergence`).
"""
import copy
import logging
from typing import Dict, List, Optional, Sequence, Union

from mmengine.hooks import Hook
from mmengine.logging import print_log
from mmengine.runner import IterBasedTrainLoop
from mmpose.registry import LOOPS
from torch import nn
from torch.nn.modules.batchnorm import _BatchNorm
from torch.utils.data import DataLoader

from ...utils import check_finite_losses, check_names_match, unwrap_model
from ..divergence import MAX_ABS_WEIGHT, stop_message
from ..hooks.resume_lr import ResumeLRFromConfigHook
from .phase_batches import PhaseBatches
from .phase_schedule import DEFAULT_FROZEN, PhaseSchedule, TrainingPhase

# Runtime-info key of the message hub holding the running phase's name.
PHASE_INFO_KEY = 'sht_phase'


def planned_iters(train_cfg: dict) -> int:
    """The iterations an ``SHTTrainLoop`` config runs: ``max_iters`` when
    given, else the phases' from ``start_phase`` on.

    Args:
        train_cfg (dict): ``dict(type='SHTTrainLoop', phases=[...], ...)``.

    Returns:
        int: The run's ``max_iters``.
    """
    if train_cfg.get('max_iters') is not None:
        return int(train_cfg['max_iters'])
    total = PhaseSchedule(train_cfg['phases'], train_cfg.get('start_phase'),
                          train_cfg.get('end_phase')).total
    if total is None:
        raise ValueError('SHTTrainLoop: the last phase has no "iters"; give '
                         'train_cfg.max_iters')
    return total


class _DatasetOnly:
    """What ``IterBasedTrainLoop.__init__`` gets for the train dataloader:
    its dataset (for the visualizer's ``dataset_meta``), and an empty
    iteration, so that only :class:`PhaseBatches` iterates the real
    dataloader (mmengine's ``InfiniteSampler`` supports one iteration)."""

    def __init__(self, dataloader: DataLoader) -> None:
        self.dataset = dataloader.dataset

    def __iter__(self):
        return iter(())


class FiniteOutputsHook(Hook):
    """Raise ``FloatingPointError`` on a NaN/inf loss term that a train
    step returned, before any other hook sees it (``CheckpointHook`` never
    saves the broken state). Registered by :class:`SHTTrainLoop`."""

    priority = 'HIGHEST'

    def after_train_iter(self, runner, batch_idx: int, data_batch=None,
                         outputs: Optional[dict] = None) -> None:
        check_finite_losses(outputs or {}, 'train_step outputs')


@LOOPS.register_module()
class SHTTrainLoop(IterBasedTrainLoop):
    """Iteration-based training through the phases of the SHT recipe.

    Args:
        runner (Runner): The runner.
        dataloader (DataLoader | dict): The runner's ``train_dataloader``,
            read by the phases without their own.
        phases (Sequence[dict]): The phases in order, each a dict with

            - ``name`` (str): ``'dhln'`` (pretrain DHLN, Eq. 4), ``'fptn'``
              (pretrain FPTN on ground-truth heatmaps), ``'sht'`` (fine-tune
              DHLN + FPTN, Eq. 9) or ``'sht_weak'`` (the same with unlabeled
              faces, Eq. 9-10), or any name together with ``mode``;
            - ``iters`` (int): the phase length; the last phase may leave it
              out (then ``max_iters`` says where training ends);
            - ``mode`` (str, optional): the estimator's ``train_mode``
              (default from the name: ``sht_weak`` -> ``'sht'``);
            - ``frozen`` (list[str], optional): prefixes of parameter names
              not trained in this phase (default: ``backbone.``, ``neck.``,
              ``head.`` in ``'fptn'``, nothing elsewhere);
            - ``norm_eval`` (list[str], optional): prefixes of module names
              whose BatchNorm layers stay in eval mode in this phase
              (running statistics frozen);
            - ``train_dataloader`` (dict | str, optional): the dataloader of
              this phase, or the name of a top-level config entry holding
              one (e.g. ``'weak_dataloader'``).

        start_phase (str, optional): The phase iteration 0 of this run
            belongs to (a run that starts from a checkpoint of the earlier
            phases with ``load_from``). Default: the first phase.
        end_phase (str, optional): The last phase this run trains, so that
            one list of phases can hold the whole recipe and each run
            (config row) trains its part of it. Default: the last phase.
        max_iters (int, optional): Default: the length of the phases from
            ``start_phase`` to ``end_phase``; a different value is used with
            a warning.
        val_begin (int): First iteration that may validate. Default 1.
        val_interval (int): Validate every this many iterations and after
            the last. Default 1000. (mmengine's ``dynamic_intervals`` is not
            supported.)
        max_abs_weight (float): Largest weight magnitude of a checkpoint
            named as good when a loss turns NaN/inf. Default 1e6.

    The running phase is :attr:`current_phase` and, for other hooks, the
    message hub's runtime info ``'sht_phase'``. The loop registers a
    :class:`FiniteOutputsHook` and a
    :class:`~sht.engine.hooks.ResumeLRFromConfigHook` with the runner.

    Example:
        >>> train_cfg = dict(
        ...     type='SHTTrainLoop',
        ...     phases=[
        ...         dict(name='dhln', iters=30000),
        ...         dict(name='fptn', iters=30000),
        ...         dict(name='sht', iters=20000),
        ...         dict(name='sht_weak', iters=20000,
        ...              train_dataloader='weak_dataloader')],
        ...     val_interval=5000)
    """

    def __init__(self,
                 runner,
                 dataloader: Union[DataLoader, dict],
                 phases: Sequence[dict],
                 start_phase: Optional[str] = None,
                 end_phase: Optional[str] = None,
                 max_iters: Optional[int] = None,
                 val_begin: int = 1,
                 val_interval: int = 1000,
                 max_abs_weight: float = MAX_ABS_WEIGHT) -> None:
        schedule = PhaseSchedule(list(phases), start_phase, end_phase)
        planned = schedule.total
        if max_iters is None and planned is None:
            raise ValueError('SHTTrainLoop: the last phase has no "iters"; '
                             'give max_iters')
        if isinstance(dataloader, dict):
            dataloader = self._build(runner, dataloader)
        super().__init__(runner, _DatasetOnly(dataloader),
                         planned if max_iters is None else max_iters,
                         val_begin, val_interval)
        self.dataloader = dataloader
        self.schedule = schedule
        self.max_abs_weight = float(max_abs_weight)
        self.current_phase: Optional[TrainingPhase] = None
        self.batches = PhaseBatches(schedule, dataloader,
                                    self.build_phase_loader)
        if any(p.train_dataloader is None for p in schedule.run_phases):
            # As IterBasedTrainLoop, start reading the runner's dataloader
            # when the loop is built: its iterator draws a seed from torch's
            # generator before the runner initialises the model's weights,
            # so a config's seed gives the weights it gives with mmengine's
            # own loop.
            self.batches.start_default()
        self._loader_cfgs = {
            phase.name: self._loader_cfg(phase)
            for phase in schedule.run_phases
            if phase.train_dataloader is not None
        }
        self._base_trainable: Optional[Dict[str, bool]] = None
        if planned is not None and planned != self.max_iters:
            last = schedule.phase_at(max(self.max_iters - 1, 0))
            runner.logger.warning(
                f'SHTTrainLoop: the phases from "{schedule.start_phase}" on '
                f'cover {planned} iters but max_iters is {self.max_iters}; '
                f'training ends in phase "{last.name}"'
                + (' (the last phase runs on)'
                   if self.max_iters > planned else ''))
        runner.register_hook(FiniteOutputsHook())
        runner.register_hook(ResumeLRFromConfigHook())

    # ----------------------------------------------------------- data
    def _loader_cfg(self, phase: TrainingPhase) -> dict:
        """A phase's dataloader config (resolving a config entry name)."""
        cfg = phase.train_dataloader
        if isinstance(cfg, str):
            entry = self.runner.cfg.get(cfg, None)
            if not isinstance(entry, dict):
                raise KeyError(
                    f'SHTTrainLoop: phase "{phase.name}" reads '
                    f'train_dataloader="{cfg}", but the config has no '
                    f'dataloader dict named "{cfg}"')
            cfg = entry
        return cfg

    @staticmethod
    def _build(runner, cfg: dict) -> DataLoader:
        """A dataloader seeded as mmengine seeds the train dataloader."""
        randomness = runner.cfg.get('randomness', None) or {}
        return runner.build_dataloader(
            copy.deepcopy(cfg),
            seed=runner.seed,
            diff_rank_seed=randomness.get('diff_rank_seed', False))

    def build_phase_loader(self, phase: TrainingPhase) -> DataLoader:
        """The dataloader of a phase with its own, seeded as the runner's
        ``train_dataloader``."""
        return self._build(self.runner, self._loader_cfgs[phase.name])

    # --------------------------------------------------------- phases
    def apply_phase(self, position: int) -> TrainingPhase:
        """Put the model into the phase of iteration ``position`` of the
        run (idempotent; the model's ``train()`` comes first).

        Sets the estimator's ``train_mode``, makes the phase's ``frozen``
        parameters untrainable (the others as the model had them when
        training started) and puts the BatchNorm layers under its
        ``norm_eval`` prefixes into eval mode.

        Args:
            position (int): Iteration of the run (0-based).

        Returns:
            TrainingPhase: The applied phase.
        """
        phase = self.schedule.phase_at(position)
        model = unwrap_model(self.runner.model)
        if self._base_trainable is None:
            self._base_trainable = {
                name: param.requires_grad
                for name, param in model.named_parameters()
            }
        if model.train_mode != phase.mode:
            model.train_mode = phase.mode
        self._apply_frozen(model, phase)
        if phase.norm_eval and model.training:
            for name, module in model.named_modules():
                if isinstance(module, _BatchNorm) and any(
                        (name + '.').startswith(p) for p in phase.norm_eval):
                    module.eval()
        if phase != self.current_phase:
            how = (': continuing at' if self.current_phase is None
                   and position > 0 else ' begins at')
            self.runner.logger.info(
                f'SHT phase "{phase.name}" (training mode {phase.mode!r})'
                f'{how} iter {position}')
            self.current_phase = phase
        self.runner.message_hub.update_info(PHASE_INFO_KEY, phase.name)
        return phase

    def check_prefixes(self, model: nn.Module) -> None:
        """Raise ``ValueError`` for a ``frozen`` prefix that starts no
        parameter name, or a ``norm_eval`` prefix that starts no BatchNorm
        layer's name, of the estimator (either would silently change
        nothing, e.g. a prefix of an earlier module layout). The default
        ``frozen`` prefixes of a phase (``DEFAULT_FROZEN``) may match
        nothing."""
        params = [name for name, _ in model.named_parameters()]
        norms = [
            name + '.' for name, module in model.named_modules()
            if isinstance(module, _BatchNorm)
        ]
        for phase in self.schedule.run_phases:
            for key, prefixes, names, what in (
                    ('frozen', phase.frozen, params, 'parameter'),
                    ('norm_eval', phase.norm_eval, norms, 'BatchNorm layer')):
                defaults = DEFAULT_FROZEN.get(phase.name, ()) \
                    if key == 'frozen' else ()  # e.g. 'neck.': may be absent
                check_names_match(
                    [p for p in prefixes if p not in defaults], names,
                    str.startswith,
                    lambda p: f'SHTTrainLoop: phase "{phase.name}": {key} '
                    f'prefix "{p}" starts no {what} name of '
                    f'{type(model).__name__}')

    def _apply_frozen(self, model: nn.Module, phase: TrainingPhase) -> None:
        for name, param in model.named_parameters():
            trainable = self._base_trainable.get(name, param.requires_grad)
            if any(name.startswith(prefix) for prefix in phase.frozen):
                trainable = False
            if param.requires_grad != trainable:
                param.requires_grad_(trainable)

    # ------------------------------------------------------------ run
    def run(self) -> nn.Module:
        """Train from :attr:`iter` (0, or a resumed run's iteration) to
        ``max_iters``.

        Returns:
            nn.Module: The runner's model.

        Raises:
            FloatingPointError: A loss term turned NaN or inf; the message
                names the phase, the iteration, the term, the last good
                checkpoint and how to resume from it.
        """
        model = unwrap_model(self.runner.model)
        if not hasattr(model, 'train_mode'):
            raise TypeError(
                'SHTTrainLoop needs an estimator with a "train_mode" '
                f'(SHTEstimator), got {type(model).__name__}')
        self.runner.logger.info(
            f'SHT training phases (from "{self.schedule.start_phase}"):\n'
            + self.schedule.describe())
        self.check_prefixes(model)
        self.apply_phase(self.iter)
        self.runner.call_hook('before_train')
        # the whole run is one big epoch, as in IterBasedTrainLoop
        self.runner.call_hook('before_train_epoch')
        if self.iter > 0:
            print_log(
                f'Advance the phase dataloaders {self.iter} batches to skip '
                'the data that has already been trained',
                logger='current',
                level=logging.WARNING)
            for _ in range(self.iter):
                next(self.batches)
        while self.iter < self.max_iters and not self.stop_training:
            self.runner.model.train()
            phase = self.apply_phase(self.iter)
            data_batch = next(self.batches)
            try:
                self.run_iter(data_batch)
            except FloatingPointError as error:
                message = stop_message(self.runner, phase.name, str(error),
                                       self.max_abs_weight)
                self.runner.logger.error(message)
                raise FloatingPointError(message) from error
            if (self.runner.val_loop is not None
                    and self.iter >= self.val_begin
                    and (self.iter % self.val_interval == 0
                         or self.iter == self.max_iters)):
                self.runner.val_loop.run()
        self.runner.call_hook('after_train_epoch')
        self.runner.call_hook('after_train')
        return self.runner.model

    @property
    def phase_dataloaders(self) -> Dict[str, DataLoader]:
        """The dataloaders built so far for phases with their own."""
        return dict(self.batches.dataloaders)


__all__: List[str] = [
    'SHTTrainLoop', 'FiniteOutputsHook', 'planned_iters', 'PHASE_INFO_KEY'
]
