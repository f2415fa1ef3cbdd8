"""SHTTrainLoop and PhaseSchedule: phases, data, resume, NaN stop, learning
rates from the config, on a real mmengine Runner around a tiny estimator
(CPU, about a second a run; the end-to-end runs of the SHT model are in
test_resume.py and test_nan_training.py)."""
import glob
import os.path as osp

import pytest
import torch
from helpers.runner_standins import (PAPER_PHASES, TinyEstimator, loader,
                                     train, tiny_runner)

from sht.engine import PhaseSchedule, SHTTrainLoop, planned_iters
from sht.engine.loops import PHASE_INFO_KEY, PhaseBatches


def log_text(runner) -> str:
    with open(osp.join(runner.log_dir, f'{runner.timestamp}.log')) as f:
        return f.read()


# ----------------------------------------------------------- schedule
def test_schedule_positions():
    schedule = PhaseSchedule(PAPER_PHASES)
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
    schedule = PhaseSchedule(phases, start_phase='sht')
    # position 0 of this run is the first iteration of phase 'sht'
    assert [schedule.phase_at(i).name for i in range(6)] == \
        ['sht'] * 4 + ['sht_weak'] * 2
    assert schedule.total is None
    assert 'dhln' not in schedule.describe()
    assert planned_iters(dict(phases=PAPER_PHASES, start_phase='sht')) == 8
    assert planned_iters(dict(phases=phases, max_iters=5)) == 5
    with pytest.raises(ValueError, match='max_iters'):
        planned_iters(dict(phases=phases))


@pytest.mark.parametrize(
    'phases, message',
    [([dict(name='dhln', iters=2), dict(name='sht', epochs=1)], 'unknown'),
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
        PhaseSchedule(phases)


def test_schedule_unknown_start_phase():
    with pytest.raises(ValueError, match='start_phase "sht_x"'):
        PhaseSchedule(PAPER_PHASES, start_phase='sht_x')


# --------------------------------------------------------------- loop
def test_loop_runs_the_phases_with_their_modes_and_frozen_parameters(
        tmp_path):
    runner = tiny_runner(str(tmp_path), log_level='INFO')
    assert isinstance(runner.train_loop, SHTTrainLoop)
    assert runner.max_iters == 14  # from the phases
    model = train(runner)
    steps = model.steps
    assert [s['mode'] for s in steps] == (['dhln'] * 3 + ['fptn'] * 3 +
                                          ['sht'] * 8)
    # DHLN frozen only while FPTN pretrains; FPTN's generator always
    # trainable; the model's own frozen VGG never unfrozen
    assert [s['trainable']['backbone.0.weight'] for s in steps] == \
        [True] * 3 + [False] * 3 + [True] * 8
    assert [s['trainable']['head.bias'] for s in steps] == \
        [True] * 3 + [False] * 3 + [True] * 8
    assert all(s['trainable']['fptn.generator.weight'] for s in steps)
    assert not any(s['trainable']['fptn.vgg.weight'] for s in steps)
    # one batch sequence over the runner's dataloader (no phase has its own)
    assert [s['batch'] for s in steps] == [[2 * i, 2 * i + 1]
                                           for i in range(14)]
    assert runner.message_hub.get_info(PHASE_INFO_KEY) == 'sht_weak'
    assert runner.train_loop.current_phase.name == 'sht_weak'
    log = log_text(runner)
    for name, mode, begin in [('dhln', 'dhln', 0), ('fptn', 'fptn', 3),
                              ('sht', 'sht', 6), ('sht_weak', 'sht', 10)]:
        assert log.count(f'SHT phase "{name}" (training mode {mode!r}) '
                         f'begins at iter {begin}') == 1
    assert 'cover' not in log  # max_iters agrees with the phases


def test_loop_reads_each_phases_own_dataloader(tmp_path):
    phases = [dict(name='sht', iters=3),
              dict(name='sht_weak', iters=2, train_dataloader='weak'),
              dict(name='last', mode='sht', iters=2,
                   train_dataloader=loader(first=5000, batch_size=1))]
    runner = tiny_runner(str(tmp_path), phases,
                         weak=loader(first=1000, batch_size=3))
    steps = train(runner).steps
    assert [s['batch'] for s in steps] == [
        [0, 1], [2, 3], [4, 5], [1000, 1001, 1002], [1003, 1004, 1005],
        [5000], [5001]
    ]
    assert set(runner.train_loop.phase_dataloaders) == {'sht_weak', 'last'}


@pytest.mark.parametrize('phases, draws_at_build', [
    (PAPER_PHASES, True),  # phase 1 reads the runner's train_dataloader
    ([dict(name='sht', iters=2, train_dataloader=loader(first=10))], False),
])
def test_loop_starts_the_runners_dataloader_when_built_as_mmengine_does(
        tmp_path, phases, draws_at_build):
    """mmengine's IterBasedTrainLoop starts its dataloader iterator (which
    draws a seed from torch's generator) when it is built, before the runner
    initialises the weights; SHTTrainLoop does the same when a phase reads
    that dataloader, so a seed gives the same initial weights."""
    from mmengine.runner import IterBasedTrainLoop
    draws = []
    for build in (lambda r: r.train_loop,
                  lambda r: IterBasedTrainLoop(r, loader(), max_iters=3),
                  lambda r: None):
        runner = tiny_runner(str(tmp_path / str(len(draws))), phases)
        torch.manual_seed(0)
        build(runner)
        draws.append(torch.rand(3))
    sht_loop, mmengine_loop, nothing = draws
    assert torch.equal(sht_loop, mmengine_loop if draws_at_build else nothing)
    assert not torch.equal(mmengine_loop, nothing)


def test_loop_dataloader_by_config_name_must_exist(tmp_path):
    phases = [dict(name='sht', iters=1),
              dict(name='sht_weak', iters=1, train_dataloader='weak')]
    with pytest.raises(KeyError, match='no dataloader dict named "weak"'):
        tiny_runner(str(tmp_path), phases).train_loop


def test_loop_norm_eval_keeps_running_statistics_of_its_phase(tmp_path):
    phases = [dict(name='dhln', iters=2),
              dict(name='sht_weak', mode='sht', iters=2,
                   norm_eval=['backbone.']),
              dict(name='sht', iters=2)]
    steps = train(tiny_runner(str(tmp_path), phases)).steps
    assert [s['backbone_bn'] for s in steps] == [True, True, False, False,
                                                 True, True]
    # FPTN's BatchNorm is never under the prefix
    assert all(s['fptn_bn'] for s in steps)


def test_loop_max_iters_from_the_config_warns_when_it_disagrees(tmp_path):
    runner = tiny_runner(str(tmp_path), log_level='INFO',
                         train_cfg=dict(max_iters=8))
    steps = train(runner).steps
    assert len(steps) == 8 and steps[-1]['mode'] == 'sht'
    assert 'cover 14 iters but max_iters is 8; training ends in phase ' \
        '"sht"' in log_text(runner)
    with pytest.raises(ValueError, match='give max_iters'):
        tiny_runner(str(tmp_path), [dict(name='sht')]).train_loop
    open_end = tiny_runner(str(tmp_path), [dict(name='sht')],
                           train_cfg=dict(max_iters=3))
    assert len(train(open_end).steps) == 3


def test_loop_needs_an_estimator_with_a_train_mode(tmp_path):
    class Plain(TinyEstimator):
        def __getattribute__(self, name):
            if name == 'train_mode':
                raise AttributeError(name)
            return super().__getattribute__(name)

    with pytest.raises(TypeError, match='train_mode'):
        tiny_runner(str(tmp_path), model=Plain()).train()


@pytest.mark.parametrize('resume_at', [2, 4, 8, 11])  # in every phase
def test_resumed_loop_lands_in_its_phase_with_the_same_batches(
        tmp_path, resume_at):
    phases = PAPER_PHASES[:3] + [
        dict(name='sht_weak', iters=4,
             train_dataloader=loader(first=1000, batch_size=3))]
    reference = train(tiny_runner(str(tmp_path / 'ref'), phases)).steps
    first = tiny_runner(str(tmp_path / 'run'), phases,
                        train_cfg=dict(max_iters=resume_at))
    train(first)
    checkpoint = osp.join(str(tmp_path / 'run'), f'iter_{resume_at}.pth')
    resumed = tiny_runner(str(tmp_path / 'run'), phases, log_level='INFO',
                          resume=True, load_from=checkpoint)
    steps = train(resumed).steps
    assert [(s['mode'], s['batch'], s['trainable']) for s in steps] == [
        (s['mode'], s['batch'], s['trainable'])
        for s in reference[resume_at:]
    ]
    phase = PhaseSchedule(phases).phase_at(resume_at)
    log = log_text(resumed)
    assert f'SHT phase "{phase.name}" (training mode {phase.mode!r}): ' \
        f'continuing at iter {resume_at}' in log
    # phases before the resume point are not entered again
    for name in ('dhln', 'fptn', 'sht', 'sht_weak'):
        if PhaseSchedule(phases).phase_at(resume_at).begin > \
                PhaseSchedule(phases).phases[[p['name'] for p in phases
                                              ].index(name)].begin:
            assert f'phase "{name}" (training mode' not in log
    # the same weights at the end as the uninterrupted run
    ref_final = torch.load(str(tmp_path / 'ref' / 'iter_14.pth'),
                           weights_only=False)['state_dict']
    final = torch.load(str(tmp_path / 'run' / 'iter_14.pth'),
                       weights_only=False)['state_dict']
    for key, value in ref_final.items():
        assert torch.equal(value, final[key]), key


def test_phase_batches_replay_the_same_sequence():
    """Two fresh PhaseBatches over the same loaders give the same batches
    (a resumed run re-reads its finished iterations through one); a
    finite phase loader starts again when it ends."""
    from torch.utils.data import DataLoader
    schedule = PhaseSchedule([
        dict(name='sht', iters=4),
        dict(name='sht_weak', iters=4, train_dataloader=dict())
    ])

    def read():
        batches = PhaseBatches(
            schedule, DataLoader(list(range(100)), batch_size=2),
            lambda phase: DataLoader([1000, 1001, 1002], batch_size=2))
        return [next(batches).tolist() for _ in range(8)]

    first = read()
    assert first == [[0, 1], [2, 3], [4, 5], [6, 7], [1000, 1001], [1002],
                     [1000, 1001], [1002]]
    assert read() == first


# ------------------------------------------------- non-finite losses
@pytest.mark.parametrize('fault, term', [
    (dict(nan_at=7), 'loss_bad = nan'),
    (dict(raise_at=7), 'loss_pt_gan = inf'),
])
def test_loop_stops_on_a_non_finite_loss_naming_a_good_checkpoint(
        tmp_path, fault, term):
    runner = tiny_runner(str(tmp_path), model=TinyEstimator(**fault))
    with pytest.raises(FloatingPointError) as info:
        runner.train()
    message = str(info.value)
    assert 'phase "sht"' in message and 'iteration 8' in message
    assert term in message
    last = osp.join(str(tmp_path), 'iter_7.pth')
    assert f'the last good checkpoint is {last}' in message
    assert f'--resume {last}' in message
    assert 'resume_lr_from_config=True' in message
    assert message.count('training stopped') == 1
    # nothing was saved for the failing iteration
    assert not osp.exists(osp.join(str(tmp_path), 'iter_8.pth'))
    assert len(glob.glob(osp.join(str(tmp_path), 'iter_*.pth'))) == 7


def test_loop_finite_steps_pass(tmp_path):
    steps = train(tiny_runner(str(tmp_path), PAPER_PHASES[:1])).steps
    assert len(steps) == 3


# ----------------------------------------- resume_lr_from_config
def test_resume_lr_from_config_takes_the_configs_rate(tmp_path):
    phases = [dict(name='sht', iters=4)]
    train(tiny_runner(str(tmp_path), phases,
                      train_cfg=dict(max_iters=2)))
    checkpoint = osp.join(str(tmp_path), 'iter_2.pth')
    saved = torch.load(checkpoint, weights_only=False)['optimizer']
    assert saved['param_groups'][0]['lr'] == 0.01

    def resumed(**options):
        runner = tiny_runner(
            str(tmp_path), phases, resume=True, load_from=checkpoint,
            optim_wrapper=dict(optimizer=dict(type='SGD', lr=0.5)),
            train_cfg=dict(max_iters=2), **options)
        runner.train()  # nothing left to train: resume only
        return runner.optim_wrapper.param_groups[0]['lr']

    assert resumed() == 0.01  # mmengine: the checkpoint's rate
    assert resumed(resume_lr_from_config=True) == 0.5
