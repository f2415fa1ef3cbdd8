"""Schedule the SHT training recipe (Sec. 4.1) over one run.

Paper, Sec. 4.1: "For DHLN, we initially train it [...] with the
corresponding loss function defined in Eq. (4). [...] FPTN is first trained
using ground-truth landmark heatmaps [...] we construct SHT by combining the
pretrained DHLN and FPTN and then finetune the combined model [...] For the
weakly-supervised SHT, we extend the finetuning process by utilizing face
images or videos without landmark annotations."

:class:`SHTPhaseHook` runs these phases one after the other in a single
mmengine run. It never counts phase changes: before every training
iteration (and epoch) it derives the phase from the runner's iteration (or
epoch) and applies it idempotently, so a resumed run lands in the phase of
its checkpoint, and applying a phase twice changes nothing. mmpose's own
mode-switch hooks fire only on one exact epoch and lose the switch on resume.
"""
import copy
from typing import Dict, Optional, Sequence

from mmengine.hooks import Hook
from mmengine.model import is_model_wrapper
from mmengine.runner import EpochBasedTrainLoop, IterBasedTrainLoop
from mmpose.registry import HOOKS
from torch import nn
from torch.nn.modules.batchnorm import _BatchNorm

from .phase_data import PhaseDataIterator
from .phase_schedule import UNITS, PhaseSchedule, TrainingPhase

# Runtime-info key of the message hub holding the running phase's name.
PHASE_INFO_KEY = 'sht_phase'
# Training scalars of the message hub that outlive a phase change (written
# by hooks every iteration, not by the model).
KEPT_SCALARS = ('train/time', 'train/data_time')


def unwrap_model(model: nn.Module) -> nn.Module:
    """The estimator inside (possibly nested) distributed wrappers."""
    while is_model_wrapper(model):
        model = model.module
    return model


def _infer_unit(phases: Sequence[dict]) -> Optional[str]:
    """``'iters'`` or ``'epochs'``: the unit the phase lengths are given in
    (None when no phase gives a length)."""
    found = {unit for spec in phases if isinstance(spec, dict)
             for unit in UNITS if unit in spec}
    if len(found) > 1:
        raise ValueError('SHTPhaseHook: give every phase length in "iters" '
                         'or every one in "epochs", not both')
    return found.pop() if found else None


@HOOKS.register_module()
class SHTPhaseHook(Hook):
    """Run the phases of the SHT recipe, derived from the runner's state.

    Args:
        phases (Sequence[dict]): The phases in order, each a dict with

            - ``name`` (str): ``'dhln'`` (pretrain DHLN, Eq. 4), ``'fptn'``
              (pretrain FPTN on ground-truth heatmaps), ``'sht'`` (fine-tune
              DHLN + FPTN, Eq. 9) or ``'sht_weak'`` (the same with unlabeled
              faces, Eq. 9-10), or any name together with ``mode``;
            - ``iters`` or ``epochs`` (int): the phase length, in the unit of
              the train loop (``IterBasedTrainLoop``: iterations,
              ``EpochBasedTrainLoop``: epochs); the last phase may leave it
              out (it then runs until the end of training);
            - ``mode`` (str, optional): the estimator's ``train_mode``
              (default from the name: ``sht_weak`` -> ``'sht'``);
            - ``frozen`` (list[str], optional): prefixes of parameter names
              not trained in this phase (default: ``backbone.``, ``neck.``,
              ``head.`` in ``'fptn'``, nothing elsewhere);
            - ``norm_eval`` (list[str], optional): prefixes of module names
              whose BatchNorm layers stay in eval mode in this phase
              (running statistics frozen), e.g. ``['backbone.']`` to
              fine-tune DHLN on batches of another make-up than phase 1's;
            - ``train_dataloader`` (dict | str, optional): the dataloader of
              this phase (e.g. labeled + unlabeled pairs with
              ``MixedRatioSampler`` for ``'sht_weak'``), or the name of a
              top-level config entry holding it (e.g.
              ``'weak_dataloader'``); phases without one read the runner's
              ``train_dataloader``.

        start_phase (str, optional): The phase iteration (epoch) 0 of this
            run belongs to, to start from a phase with ``load_from`` a
            checkpoint of the earlier ones. Default: the first phase.

    The running phase's name is kept in the message hub's runtime info
    (``'sht_phase'``) for other hooks (e.g. :class:`SHTNaNGuardHook`).

    Example:
        >>> custom_hooks = [
        ...     dict(type='SHTPhaseHook', phases=[
        ...         dict(name='dhln', iters=30000),
        ...         dict(name='fptn', iters=30000),
        ...         dict(name='sht', iters=20000),
        ...         dict(name='sht_weak', iters=20000,
        ...              train_dataloader='weak_dataloader')]),
        ...     dict(type='SHTNaNGuardHook')]
    """

    priority = 'ABOVE_NORMAL'

    def __init__(self,
                 phases: Sequence[dict],
                 start_phase: Optional[str] = None) -> None:
        self._phase_specs = list(phases)
        self._unit_given = _infer_unit(phases) is not None
        self.schedule = PhaseSchedule(
            self._phase_specs,
            unit=_infer_unit(phases) or 'iters',
            start_phase=start_phase)
        self.current: Optional[TrainingPhase] = None
        self._base_trainable: Optional[Dict[str, bool]] = None
        self._default_loader = None
        self._epoch_loaders: Dict[str, object] = {}

    # ----------------------------------------------------------- helpers
    def _check_loop(self, runner) -> None:
        loop = runner.train_loop
        unit = self.schedule.unit
        if isinstance(loop, IterBasedTrainLoop):
            loop_unit, total = 'iters', loop.max_iters
        elif isinstance(loop, EpochBasedTrainLoop):
            loop_unit, total = 'epochs', loop.max_epochs
        else:
            raise TypeError(
                'SHTPhaseHook works with IterBasedTrainLoop or '
                f'EpochBasedTrainLoop, got {type(loop).__name__}')
        if loop_unit != unit and not self._unit_given:
            # a single open-ended phase: count in the loop's unit
            self.schedule = PhaseSchedule(self._phase_specs, loop_unit,
                                          self.schedule.start_phase)
            unit = loop_unit
        if loop_unit != unit:
            raise ValueError(
                f'SHTPhaseHook: the phases are given in "{unit}" but the '
                f'train loop ({type(loop).__name__}) counts {loop_unit}; '
                f'give every phase its length in "{loop_unit}"')
        planned = self.schedule.total
        if planned is not None and planned != total:
            last = self.schedule.phase_at(max(total - 1, 0))
            runner.logger.warning(
                f'SHTPhaseHook: the phases from "{self.schedule.start_phase}" '
                f'on cover {planned} {unit} but the train loop runs {total}; '
                f'training ends in phase "{last.name}"'
                + (' (the last phase runs on)' if total > planned else ''))

    def _position(self, runner) -> int:
        """Position of the next iteration (or epoch) of the run."""
        return runner.iter if self.schedule.unit == 'iters' else runner.epoch

    @staticmethod
    def _loader_cfg(runner, phase: TrainingPhase) -> dict:
        """The dataloader config of a phase (resolving a config name)."""
        cfg = phase.train_dataloader
        if isinstance(cfg, str):
            if not isinstance(runner.cfg.get(cfg, None), dict):
                raise KeyError(
                    f'SHTPhaseHook: phase "{phase.name}" reads '
                    f'train_dataloader="{cfg}", but the config has no '
                    f'dataloader dict named "{cfg}"')
            cfg = runner.cfg[cfg]
        return cfg

    @staticmethod
    def _build_loader(runner, cfg: dict):
        """A phase's dataloader, seeded as the runner's own."""
        randomness = runner.cfg.get('randomness', None) or {}
        return runner.build_dataloader(
            copy.deepcopy(cfg),
            seed=runner.seed,
            diff_rank_seed=randomness.get('diff_rank_seed', False))

    def _install_data(self, runner) -> None:
        """Route the batches of phases with their own dataloader."""
        loaders = {
            p.name: self._loader_cfg(runner, p)
            for p in self.schedule.phases if p.train_dataloader is not None
        }
        if not loaders:
            return
        loop = runner.train_loop
        if self.schedule.unit == 'epochs':
            if self._default_loader is None:
                self._default_loader = loop.dataloader
            return
        if isinstance(loop.dataloader_iterator, PhaseDataIterator):
            return
        # The loop (a resumed one too) reads every batch from position 0.
        loop.dataloader_iterator = PhaseDataIterator(
            self.schedule, loop.dataloader_iterator,
            lambda phase: self._build_loader(runner, loaders[phase.name]))

    def _epoch_loader(self, runner, phase: TrainingPhase):
        if phase.train_dataloader is None:
            return self._default_loader
        if phase.name not in self._epoch_loaders:
            self._epoch_loaders[phase.name] = self._build_loader(
                runner, self._loader_cfg(runner, phase))
        return self._epoch_loaders[phase.name]

    def _apply_frozen(self, model: nn.Module, phase: TrainingPhase) -> None:
        """Freeze the phase's parameters, restore the others to how the
        model had them before training."""
        for name, param in model.named_parameters():
            trainable = self._base_trainable.get(name, param.requires_grad)
            if any(name.startswith(prefix) for prefix in phase.frozen):
                trainable = False
            param.requires_grad_(trainable)

    @staticmethod
    def _apply_norm_eval(model: nn.Module, phase: TrainingPhase,
                         entering: bool) -> None:
        """BatchNorm layers under the phase's ``norm_eval`` prefixes in eval
        mode. Re-applied every iteration (``model.train()`` after a
        validation resets them); on entering a phase the model's own
        ``train()`` first restores every module's mode (including modules
        a model keeps in eval itself, e.g. a backbone's ``norm_eval``)."""
        if entering:
            model.train(model.training)
        if not phase.norm_eval or not model.training:
            return
        for name, module in model.named_modules():
            if isinstance(module, _BatchNorm) and any(
                    (name + '.').startswith(p) for p in phase.norm_eval):
                module.eval()

    @staticmethod
    def _drop_loss_history(runner) -> None:
        """Forget the logged model outputs of the previous phase.

        The log shows the recent history of every scalar the model ever
        returned; a phase that computes other terms (FPTN pretraining has no
        heatmap loss) would otherwise show the last phase's values as if
        they were current.
        """
        hub = runner.message_hub
        resumed_keys = getattr(hub, '_resumed_keys', {})
        for key in list(hub.log_scalars):
            if (key.startswith('train/') and key not in KEPT_SCALARS
                    and not key.endswith('lr')):
                hub.log_scalars.pop(key)
                resumed_keys.pop(key, None)

    def apply_phase(self,
                    runner,
                    position: Optional[int] = None,
                    at_step_start: bool = False) -> TrainingPhase:
        """Put the model into the phase of ``position`` (idempotent).

        Args:
            runner (Runner): The runner.
            position (int, optional): Iteration (epoch) of the run; default
                the runner's next one.
            at_step_start (bool): Called right before that iteration
                (epoch) runs: at the first one of a phase, the logged
                outputs of the previous phase are dropped.

        Returns:
            TrainingPhase: The applied phase.
        """
        if position is None:
            position = self._position(runner)
        phase = self.schedule.phase_at(position)
        if at_step_start and position > 0 and \
                position + self.schedule.offset == phase.begin:
            self._drop_loss_history(runner)
        model = unwrap_model(runner.model)
        if self._base_trainable is None:
            self._base_trainable = {
                name: param.requires_grad
                for name, param in model.named_parameters()
            }
        if model.train_mode != phase.mode:
            model.train_mode = phase.mode
        self._apply_norm_eval(model, phase, entering=phase != self.current)
        if phase != self.current:
            self._apply_frozen(model, phase)
            unit = self.schedule.unit[:-1]
            if self.current is None and position > 0:
                runner.logger.info(
                    f'SHT phase "{phase.name}" (training mode '
                    f'{phase.mode!r}): continuing at {unit} {position}')
            else:
                runner.logger.info(
                    f'SHT phase "{phase.name}" (training mode '
                    f'{phase.mode!r}) begins at {unit} {position}')
            self.current = phase
        runner.message_hub.update_info(
            PHASE_INFO_KEY, phase.name)
        return phase

    # ------------------------------------------------------------- hooks
    def before_train(self, runner) -> None:
        """Check the schedule against the loop, route the phase data and
        apply the phase of the (possibly resumed) first iteration."""
        self._check_loop(runner)
        model = unwrap_model(runner.model)
        if not hasattr(model, 'train_mode'):
            raise TypeError(
                'SHTPhaseHook needs an estimator with a "train_mode" '
                f'(SHTEstimator), got {type(model).__name__}')
        runner.logger.info(
            f'SHT training phases (from "{self.schedule.start_phase}"):\n'
            + self.schedule.describe())
        self._install_data(runner)
        self.apply_phase(runner)

    def before_train_epoch(self, runner) -> None:
        """Epoch-based runs: apply the epoch's phase and select its data."""
        if self.schedule.unit != 'epochs':
            return
        phase = self.apply_phase(runner, at_step_start=True)
        loader = self._epoch_loader(runner, phase)
        if loader is not None and runner.train_loop.dataloader is not loader:
            runner.train_loop.dataloader = loader

    def before_train_iter(self,
                          runner,
                          batch_idx: int,
                          data_batch=None) -> None:
        """Apply the phase of the iteration about to run."""
        self.apply_phase(
            runner, at_step_start=self.schedule.unit == 'iters')
