"""SHTPhaseHook, PhaseSchedule and PhaseDataIterator on a stand-in runner
(no training; the end-to-end runs are in test_resume.py)."""
import pytest
import torch
from mmengine.runner import EpochBasedTrainLoop, IterBasedTrainLoop
from mmengine.runner.loops import _InfiniteDataloaderIterator
from runner_standins import (PAPER_PHASES, TinyEstimator, make_loop,
                             make_runner, set_position)
from torch import nn

from sht.engine.hooks import (PHASE_INFO_KEY, PhaseDataIterator,
                              PhaseSchedule, SHTPhaseHook)


# ----------------------------------------------------------- schedule
def test_schedule_positions():
    schedule = PhaseSchedule(PAPER_PHASES, unit='iters')
    names = [schedule.phase_at(i).name for i in range(16)]
    assert names == (['dhln'] * 3 + ['fptn'] * 3 + ['sht'] * 4 +
                     ['sht_weak'] * 6)  # the last phase runs on
    assert schedule.phase_at(8).mode == 'sht'
    assert schedule.phase_at(12).mode == 'sht'
    assert schedule.phase_at(4).frozen == ('backbone.', 'neck.', 'head.')
    assert schedule.phase_at(0).frozen == ()
    assert schedule.total == 14
    with pytest.raises(ValueError, match='position'):
        schedule.phase_at(-1)


def test_schedule_start_phase_and_open_end():
    phases = PAPER_PHASES[:3] + [dict(name='sht_weak')]
    schedule = PhaseSchedule(phases, unit='iters', start_phase='sht')
    # position 0 of this run is the first iteration of phase 'sht'
    assert [schedule.phase_at(i).name for i in range(6)] == \
        ['sht'] * 4 + ['sht_weak'] * 2
    assert schedule.total is None
    assert 'dhln' not in schedule.describe()


@pytest.mark.parametrize(
    'phases, message',
    [([dict(name='dhln', iters=2), dict(name='sht', epochs=1)], 'epochs'),
     ([dict(name='dhln'), dict(name='sht', iters=1)], 'needs "iters"'),
     ([dict(name='dhln', iters=0)], 'positive'),
     ([dict(name='dhln', iters=2, lr=1)], 'unknown keys'),
     ([dict(name='warmup', iters=2)], 'mode'),
     ([dict(name='sht', iters=2), dict(name='sht', iters=2)], 'twice'),
     ([dict(name='fptn', iters=2, frozen='backbone')], 'frozen'),
     ([dict(name='sht', iters=2, norm_eval='backbone.')], 'norm_eval'),
     ([], 'empty')])
def test_schedule_rejects_bad_phases(phases, message):
    with pytest.raises((ValueError, TypeError, KeyError), match=message):
        PhaseSchedule(phases, unit='iters')


def test_schedule_unknown_start_phase():
    with pytest.raises(ValueError, match='start_phase "sht_x"'):
        PhaseSchedule(PAPER_PHASES, start_phase='sht_x')


def test_hook_rejects_mixed_units():
    with pytest.raises(ValueError, match='not both'):
        SHTPhaseHook([dict(name='dhln', iters=2), dict(name='sht', epochs=2)])


# --------------------------------------------------------------- hook
def test_hook_follows_the_iteration_and_is_idempotent():
    hook = SHTPhaseHook(PAPER_PHASES)
    runner = make_runner(make_loop(IterBasedTrainLoop))
    model = runner.model
    set_position(runner, 0)
    hook.before_train(runner)
    seen = []
    for it in range(14):
        set_position(runner, it)
        hook.before_train_iter(runner, it)
        hook.before_train_iter(runner, it)  # applying twice changes nothing
        seen.append((model.train_mode, model.trainable()['backbone.weight'],
                     model.trainable()['fptn.generator.weight'],
                     model.trainable()['fptn.vgg.weight'],
                     runner.message_hub.get_info(PHASE_INFO_KEY)))
    assert [s[0] for s in seen] == (['dhln'] * 3 + ['fptn'] * 3 +
                                    ['sht'] * 8)
    # DHLN frozen only while FPTN pretrains; FPTN's generator always
    # trainable; the model's own frozen VGG never unfrozen
    assert [s[1] for s in seen] == [True] * 3 + [False] * 3 + [True] * 8
    assert all(s[2] for s in seen)
    assert not any(s[3] for s in seen)
    assert [s[4] for s in seen] == (['dhln'] * 3 + ['fptn'] * 3 +
                                    ['sht'] * 4 + ['sht_weak'] * 4)
    # one log line per phase change (plus the schedule at the start)
    begins = [line for line in runner.logger.lines if 'begins' in line]
    assert len(begins) == 4
    assert 'sht_weak' in begins[-1] and 'iter 10' in begins[-1]


class NormEvalBlock(nn.Module):
    """Keeps its BatchNorm in eval mode in ``train()``, as mmpose backbones
    with ``norm_eval=True`` do: the hook must not switch it to training."""

    def __init__(self) -> None:
        super().__init__()
        self.bn = nn.BatchNorm2d(2)

    def train(self, mode: bool = True) -> 'NormEvalBlock':
        super().train(mode)
        self.bn.eval()
        return self


class BNEstimator(TinyEstimator):
    """TinyEstimator with BatchNorm layers in DHLN and in FPTN."""

    def __init__(self) -> None:
        super().__init__()
        self.backbone = nn.Sequential(nn.Conv2d(2, 2, 1), nn.BatchNorm2d(2))
        self.fptn.norm = nn.BatchNorm2d(2)
        self.fptn.own = NormEvalBlock()


def test_hook_norm_eval_keeps_running_statistics_of_its_phase():
    phases = [dict(name='dhln', iters=2),
              dict(name='sht_weak', mode='sht', iters=2,
                   norm_eval=['backbone.']),
              dict(name='sht', iters=2)]
    hook = SHTPhaseHook(phases)
    model = BNEstimator()
    runner = make_runner(make_loop(IterBasedTrainLoop, max_iters=6), model)
    bn = model.backbone[1]
    set_position(runner, 0)
    model.train()
    hook.before_train(runner)
    moved = []
    for it in range(6):
        set_position(runner, it)
        hook.before_train_iter(runner, it)
        before = bn.running_mean.clone()
        model.backbone(torch.randn(8, 2, 3, 3) * 3 + 5)
        moved.append(not torch.equal(before, bn.running_mean))
        # FPTN's BatchNorm is never under the prefix; the one its owner
        # keeps in eval mode stays there in every phase
        assert model.fptn.norm.training
        assert not model.fptn.own.bn.training
    assert moved == [True, True, False, False, True, True]
    # a validation's model.eval() / model.train() does not undo the phase
    set_position(runner, 2)
    hook.before_train_iter(runner, 2)
    model.eval()
    model.train()
    hook.before_train_iter(runner, 2)
    assert not bn.training and model.training


def test_hook_drops_logged_outputs_of_the_previous_phase():
    hook = SHTPhaseHook(PAPER_PHASES)
    runner = make_runner(make_loop(IterBasedTrainLoop))
    hub = runner.message_hub
    set_position(runner, 0)
    hook.before_train(runner)
    for it in range(4):
        set_position(runner, it)
        hook.before_train_iter(runner, it)
        if it == 3:
            break
        for key in ('loss', 'loss_kpt', 'acc_pose', 'time', 'data_time',
                    'generator.lr'):
            hub.update_scalar(f'train/{key}', float(it))
    # iteration 3 is the first of 'fptn': DHLN's terms are gone, the
    # timing and learning-rate histories stay
    assert sorted(hub.log_scalars) == [
        'train/data_time', 'train/generator.lr', 'train/time'
    ]
    assert 'train/loss_kpt' not in hub.state_dict()['resumed_keys']
    hook.before_train_iter(runner, 3)  # applied twice: nothing else goes
    assert len(hub.log_scalars) == 3
    hub.update_scalar('train/loss_pt_l1', 1.0)  # the step's own outputs
    set_position(runner, 4)
    hook.before_train_iter(runner, 4)
    assert 'train/loss_pt_l1' in hub.log_scalars


def test_hook_resumed_run_lands_in_the_right_phase():
    """A fresh hook and model at iteration 7 (as after --resume) are in
    phase 'sht' straight away, with DHLN trainable again."""
    hook = SHTPhaseHook(PAPER_PHASES)
    runner = make_runner(make_loop(IterBasedTrainLoop, current=7))
    runner.model.train_mode = 'dhln'  # whatever the config said
    set_position(runner, 7)
    hook.before_train(runner)
    assert runner.model.train_mode == 'sht'
    assert all(v for n, v in runner.model.trainable().items()
               if not n.startswith('fptn.vgg'))
    assert any('continuing at iter 7' in line
               for line in runner.logger.lines)


def test_hook_resumed_in_fptn_phase_freezes_dhln():
    hook = SHTPhaseHook(PAPER_PHASES)
    runner = make_runner(make_loop(IterBasedTrainLoop, current=4))
    set_position(runner, 4)
    hook.before_train(runner)
    flags = runner.model.trainable()
    assert runner.model.train_mode == 'fptn'
    assert not flags['backbone.weight'] and not flags['head.bias']
    assert flags['fptn.generator.weight']


def test_hook_epoch_loop_and_loop_checks():
    phases = [dict(name='dhln', epochs=2), dict(name='sht', epochs=1)]
    hook = SHTPhaseHook(phases)
    runner = make_runner(make_loop(EpochBasedTrainLoop, max_epochs=3))
    for epoch, mode in enumerate(['dhln', 'dhln', 'sht']):
        set_position(runner, epoch)
        if epoch == 0:
            hook.before_train(runner)
        hook.before_train_epoch(runner)
        assert runner.model.train_mode == mode
    # one open-ended phase fits either loop
    hook = SHTPhaseHook([dict(name='sht')])
    hook.before_train(runner)
    hook.before_train_epoch(runner)
    assert runner.model.train_mode == 'sht'
    assert hook.schedule.unit == 'epochs'
    with pytest.raises(ValueError, match='counts iters'):
        SHTPhaseHook(phases).before_train(
            make_runner(make_loop(IterBasedTrainLoop)))
    with pytest.raises(TypeError, match='train_mode'):
        SHTPhaseHook(PAPER_PHASES).before_train(
            make_runner(make_loop(IterBasedTrainLoop), model=nn.Linear(1, 1)))


def test_hook_epoch_loop_switches_the_dataloader():
    phases = [dict(name='dhln', epochs=1),
              dict(name='sht_weak', epochs=2,
                   train_dataloader=dict(first=1000, batch_size=3))]
    hook = SHTPhaseHook(phases)
    runner = make_runner(make_loop(EpochBasedTrainLoop, max_epochs=3))
    default = runner.train_loop.dataloader
    set_position(runner, 0)
    hook.before_train(runner)
    loaders = []
    for epoch in range(3):
        set_position(runner, epoch)
        hook.before_train_epoch(runner)
        loaders.append(runner.train_loop.dataloader)
    assert loaders[0] is default
    assert loaders[1] is loaders[2] and loaders[1] is not default
    assert next(iter(loaders[1])).tolist() == [1000, 1001, 1002]
    # a run resumed at epoch 2 reads the phase's loader straight away
    resumed = make_runner(make_loop(EpochBasedTrainLoop, max_epochs=3,
                                    current=2))
    set_position(resumed, 2)
    hook = SHTPhaseHook(phases)
    hook.before_train(resumed)
    hook.before_train_epoch(resumed)
    assert next(iter(resumed.train_loop.dataloader)).tolist() == \
        [1000, 1001, 1002]


def test_hook_warns_when_phases_and_loop_disagree():
    hook = SHTPhaseHook(PAPER_PHASES)
    runner = make_runner(make_loop(IterBasedTrainLoop, max_iters=8))
    set_position(runner, 0)
    hook.before_train(runner)
    assert any('cover 14 iters but the train loop runs 8' in line
               and 'ends in phase "sht"' in line
               for line in runner.logger.lines)


# ---------------------------------------------------------- phase data
def test_phase_data_iterator_switches_and_replays():
    """Batches 0-3 from the default loader, then the phase's own loader;
    a second iterator (a resumed run reading from 0) gives the same
    sequence, whatever happens in between."""
    phases = [dict(name='sht', iters=4),
              dict(name='sht_weak', iters=4,
                   train_dataloader=dict(first=1000, batch_size=3))]

    def read(count: int) -> list:
        hook = SHTPhaseHook(phases)
        runner = make_runner(make_loop(IterBasedTrainLoop, max_iters=8))
        set_position(runner, 0)
        hook.before_train(runner)
        hook.before_train(runner)  # applied twice: wrapped once
        iterator = runner.train_loop.dataloader_iterator
        assert isinstance(iterator, PhaseDataIterator)
        assert isinstance(iterator.default_iterator,
                          _InfiniteDataloaderIterator)
        return [next(iterator).tolist() for _ in range(count)]

    first = read(8)
    assert first[:4] == [[0, 1], [2, 3], [4, 5], [6, 7]]
    assert first[4:] == [[1000, 1001, 1002], [1003, 1004, 1005],
                         [1006, 1007, 1008], [1009, 1010, 1011]]
    assert read(8) == first


def test_phase_dataloader_by_config_name():
    phases = [dict(name='sht', iters=1),
              dict(name='sht_weak', iters=1, train_dataloader='weak')]
    runner = make_runner(make_loop(IterBasedTrainLoop, max_iters=2))
    runner.cfg = dict(weak=dict(first=2000, batch_size=1))
    set_position(runner, 0)
    SHTPhaseHook(phases).before_train(runner)
    iterator = runner.train_loop.dataloader_iterator
    assert [next(iterator).tolist() for _ in range(3)] == [[0, 1], [2000],
                                                           [2001]]
    runner = make_runner(make_loop(IterBasedTrainLoop, max_iters=2))
    with pytest.raises(KeyError, match='no dataloader dict named "weak"'):
        SHTPhaseHook(phases).before_train(runner)
