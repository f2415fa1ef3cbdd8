"""The stop message of a diverged run names the last good checkpoint
(finite, bounded weights) with the command that resumes from it; resuming
with ``resume_lr_from_config`` takes the lr from the config and keeps the
optimizer moments and the scheduler position."""
import math
import os.path as osp
import shlex
import uuid
from types import SimpleNamespace

import torch
from mmengine.logging import MessageHub
from mmengine.optim import LinearLR, OptimWrapper, OptimWrapperDict
from torch import nn

from sht.engine import stop_message
from sht.engine.hooks import apply_config_lrs, config_lrs


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


class Discriminated(nn.Module):
    """Weights named like SHTEstimator's, with a discriminator."""

    def __init__(self) -> None:
        super().__init__()
        self.backbone = nn.Linear(2, 2)
        self.fptn = nn.ModuleDict(
            dict(generator=nn.Linear(2, 2),
                 discriminator=nn.Linear(2, 2)))


def test_stop_message_names_only_a_checkpoint_with_bounded_weights(
        tmp_path):
    model = Discriminated()
    good = save_checkpoint(tmp_path / 'iter_2.pth', model)
    save_checkpoint(tmp_path / 'iter_3.pth', model, 1e12)
    save_checkpoint(tmp_path / 'iter_4.pth', model,
                    fill=('fptn.generator', float('nan')))
    save_checkpoint(tmp_path / 'iter_5.pth', model,
                    fill=('fptn.discriminator', float('inf')))
    save_checkpoint(tmp_path / 'epoch_9.pth', model)  # another series
    runner = SimpleNamespace(
        iter=5, epoch=0, work_dir=str(tmp_path),
        message_hub=MessageHub.get_instance(uuid.uuid4().hex),
        cfg=dict(optim_wrapper=dict(
            generator=dict(optimizer=dict(type='Adam', lr=2e-4)),
            discriminator=dict(optimizer=dict(type='Adam', lr=1e12)))))
    runner.message_hub.update_info('last_ckpt', str(tmp_path / 'iter_5.pth'))
    message = stop_message(runner, 'sht_weak', 'loss_pt_gan = nan')
    assert message.startswith('training stopped in phase "sht_weak" at '
                              'iteration 6 (epoch 1): loss_pt_gan = nan; ')
    assert f'the last good checkpoint is {good}' in message
    assert ('iter_5.pth: discriminator weight fptn.discriminator.weight '
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
    message = stop_message(runner, 'sht', 'nan', max_abs_weight=1e13)
    assert 'the last good checkpoint is ' + osp.join(
        str(tmp_path), 'iter_3.pth') in message
    # nothing good at all: no checkpoint named, no command
    runner.message_hub.update_info('last_ckpt', str(tmp_path / 'iter_4.pth'))
    good_path = tmp_path / 'iter_2.pth'
    good_path.unlink()
    message = stop_message(runner, 'sht', 'nan')
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


def test_stop_message_before_any_checkpoint():
    runner = SimpleNamespace(
        iter=0, epoch=0, work_dir='w', cfg={},
        message_hub=MessageHub.get_instance(uuid.uuid4().hex))
    message = stop_message(runner, 'dhln', 'loss = -inf')
    assert 'phase "dhln" at iteration 1' in message
    assert 'no checkpoint was written before it' in message
    assert '--resume' not in message
