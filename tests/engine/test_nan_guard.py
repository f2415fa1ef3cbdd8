"""SHTNaNGuardHook on a stand-in runner: the error names the phase, the
iteration, the loss term and the last good checkpoint (finite, bounded
weights) with the command that resumes from it; resuming with
``resume_lr_from_config`` takes the lr from the config and keeps the
optimizer moments."""
import math
import os.path as osp
import shlex
from types import SimpleNamespace

import pytest
import torch
from mmengine.optim import LinearLR, OptimWrapper, OptimWrapperDict
from mmengine.runner import IterBasedTrainLoop
from runner_standins import (PAPER_PHASES, TinyEstimator, make_loop,
                             make_runner, set_position)

from sht.engine.hooks import SHTNaNGuardHook, SHTPhaseHook, non_finite_terms
from sht.engine.hooks.resume_lr import apply_config_lrs, config_lrs


def save_checkpoint(path, model, scale=1.0, fill=None):
    """A checkpoint of ``model`` with its weights times ``scale`` (or set to
    ``fill`` for the parameters of ``fill[0]``)."""
    state = {k: v.clone() * scale for k, v in model.state_dict().items()}
    if fill is not None:
        prefix, value = fill
        for key in state:
            if key.startswith(prefix):
                state[key].fill_(value)
    torch.save(dict(state_dict=state, optimizer={}), path)
    return str(path)


def test_non_finite_terms():
    bad = non_finite_terms(
        dict(loss=torch.tensor(float('nan')), loss_sr=torch.tensor(1.0),
             loss_pt_l1=float('inf'), acc_pose=torch.tensor(float('nan'))))
    assert set(bad) == {'loss', 'loss_pt_l1'}
    assert math.isinf(bad['loss_pt_l1'])


class StepModel(TinyEstimator):

    def __init__(self, result) -> None:
        super().__init__()
        self.result = result

    def train_step(self, data, optim_wrapper):
        if isinstance(self.result, Exception):
            raise self.result
        return self.result


@pytest.mark.parametrize('result, term', [
    (dict(loss=torch.tensor(1.0), loss_grad=torch.tensor(float('nan'))),
     'loss_grad = nan'),
    (FloatingPointError("non-finite loss in training mode 'sht' "
                        '(generator side): loss_pt_gan = inf'),
     'loss_pt_gan = inf'),
])
def test_nan_guard_names_phase_term_and_checkpoint(result, term, tmp_path):
    phase_hook, guard = SHTPhaseHook(PAPER_PHASES), SHTNaNGuardHook()
    runner = make_runner(make_loop(IterBasedTrainLoop, current=11),
                         model=StepModel(result))
    runner.work_dir = str(tmp_path)
    set_position(runner, 11)
    last = save_checkpoint(tmp_path / 'iter_11.pth', runner.model)
    runner.message_hub.update_info('last_ckpt', last)
    phase_hook.before_train(runner)
    guard.before_train(runner)
    guard.before_train(runner)  # applied twice: wrapped once
    with pytest.raises(FloatingPointError) as info:
        runner.model.train_step({}, None)
    message = str(info.value)
    assert 'phase "sht_weak"' in message and 'iteration 12' in message
    assert term in message
    assert f'the last good checkpoint is {last}' in message
    assert f'--resume {last}' in message
    assert message.count('training stopped') == 1
    assert runner.logger.lines[-1] == message


def test_nan_guard_passes_finite_steps_and_works_without_phase_hook():
    logs = dict(loss=torch.tensor(0.5), acc=torch.tensor(float('nan')))
    guard = SHTNaNGuardHook()
    runner = make_runner(make_loop(IterBasedTrainLoop), StepModel(logs))
    set_position(runner, 0)
    guard.before_train(runner)
    assert runner.model.train_step({}, None) is logs
    runner.model.result = dict(loss=torch.tensor(float('-inf')))
    with pytest.raises(FloatingPointError,
                       match='phase "sht".*no checkpoint was written'):
        runner.model.train_step({}, None)



class Discriminated(TinyEstimator):
    """TinyEstimator with a discriminator."""

    def __init__(self) -> None:
        super().__init__()
        self.fptn['discriminator'] = torch.nn.Linear(2, 2)


def test_nan_guard_names_only_a_checkpoint_with_bounded_weights(tmp_path):
    model = Discriminated()
    good = save_checkpoint(tmp_path / 'iter_2.pth', model)
    save_checkpoint(tmp_path / 'iter_3.pth', model, 1e12)
    save_checkpoint(tmp_path / 'iter_4.pth', model,
                    fill=('fptn.generator', float('nan')))
    save_checkpoint(tmp_path / 'iter_5.pth', model,
                    fill=('fptn.discriminator', float('inf')))
    save_checkpoint(tmp_path / 'epoch_9.pth', model)  # another series
    guard = SHTNaNGuardHook()
    runner = make_runner(make_loop(IterBasedTrainLoop, current=5), model)
    runner.work_dir = str(tmp_path)
    runner.cfg = dict(optim_wrapper=dict(
        generator=dict(optimizer=dict(type='Adam', lr=2e-4)),
        discriminator=dict(optimizer=dict(type='Adam', lr=1e12))))
    set_position(runner, 5)
    runner.message_hub.update_info('last_ckpt', str(tmp_path / 'iter_5.pth'))
    message = guard.describe(runner, 'loss_pt_gan = nan')
    assert f'the last good checkpoint is {good}' in message
    assert (f'iter_5.pth: discriminator weight fptn.discriminator.weight '
            'holds NaN or inf') in message
    assert 'iter_4.pth: generator weight fptn.generator.weight holds NaN' \
        in message
    assert 'iter_3.pth: generator weight backbone.weight reaches |w| = ' \
        in message and '(bound 1e+06)' in message
    command = shlex.split(message.split('change the lr values in: ')[1])
    assert command[command.index('--resume') + 1] == good
    options = command[command.index('--cfg-options') + 1:]
    assert options == [
        'resume_lr_from_config=True',
        'optim_wrapper.generator.optimizer.lr=0.0002',
        'optim_wrapper.discriminator.optimizer.lr=1000000000000.0'
    ]
    # a looser bound accepts the large weights (but not the NaN ones)
    message = SHTNaNGuardHook(max_abs_weight=1e13).describe(runner, 'nan')
    assert 'the last good checkpoint is ' + osp.join(
        str(tmp_path), 'iter_3.pth') in message
    # nothing good at all: no checkpoint named, no command
    runner.message_hub.update_info('last_ckpt', str(tmp_path / 'iter_4.pth'))
    good_path = tmp_path / 'iter_2.pth'
    good_path.unlink()
    message = guard.describe(runner, 'nan')
    assert 'no checkpoint of this run has finite, bounded weights' in message
    assert '--resume' not in message


def adam_wrappers():
    torch.manual_seed(0)
    nets = dict(generator=torch.nn.Linear(3, 2),
                discriminator=torch.nn.Linear(2, 1))
    return nets, OptimWrapperDict(**{
        name: OptimWrapper(torch.optim.Adam(net.parameters(), lr=2e-4))
        for name, net in nets.items()
    })


def test_resume_lr_from_config_keeps_optimizer_moments():
    # the checkpoint's optimizers: stepped with the diverging lr 1e12
    nets, trained = adam_wrappers()
    trained['discriminator'].param_groups[0]['lr'] = 1e12
    for name, net in nets.items():
        net(torch.ones(1, net.in_features)).sum().backward()
        trained[name].step()
    saved = trained.state_dict()
    # the resumed run: built from the config (lr 2e-4), then resumed
    _, resumed = adam_wrappers()
    from_config = config_lrs(resumed)
    resumed.load_state_dict(saved)
    assert resumed['discriminator'].param_groups[0]['lr'] == 1e12
    runner = SimpleNamespace(optim_wrapper=resumed, param_schedulers=None)
    changes = apply_config_lrs(runner, from_config)
    assert 'discriminator group 0: lr 1e+12 -> 0.0002' in changes
    for name in nets:
        assert resumed[name].param_groups[0]['lr'] == 2e-4
        kept = resumed[name].optimizer.state_dict()['state']
        for index, moments in saved[name]['state'].items():
            for key in ('exp_avg', 'exp_avg_sq', 'step'):
                torch.testing.assert_close(kept[index][key], moments[key])


def test_resume_lr_from_config_keeps_the_scheduler_position():
    net = torch.nn.Linear(2, 1)
    wrapper = OptimWrapper(torch.optim.SGD(net.parameters(), lr=0.1))
    scheduler = LinearLR(wrapper, start_factor=0.5, by_epoch=False, end=10)
    from_config = config_lrs(wrapper)
    assert from_config == {'': [0.1]}
    group = wrapper.param_groups[0]
    group['initial_lr'], group['lr'] = 1e12, 0.5e12  # as resumed
    runner = SimpleNamespace(optim_wrapper=wrapper,
                             param_schedulers=[scheduler])
    apply_config_lrs(runner, from_config)
    assert group['initial_lr'] == 0.1 and math.isclose(group['lr'], 0.05)
    assert scheduler.base_values == [0.1]
