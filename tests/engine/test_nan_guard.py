"""SHTNaNGuardHook on a stand-in runner: the error names the phase, the
iteration, the loss term and the last checkpoint."""
import math

import pytest
import torch
from mmengine.runner import IterBasedTrainLoop
from runner_standins import (PAPER_PHASES, TinyEstimator, make_loop,
                             make_runner, set_position)

from sht.engine.hooks import SHTNaNGuardHook, SHTPhaseHook, non_finite_terms


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
def test_nan_guard_names_phase_term_and_checkpoint(result, term):
    phase_hook, guard = SHTPhaseHook(PAPER_PHASES), SHTNaNGuardHook()
    runner = make_runner(make_loop(IterBasedTrainLoop, current=11),
                         model=StepModel(result))
    set_position(runner, 11)
    runner.message_hub.update_info('last_ckpt', '/w/iter_11.pth')
    phase_hook.before_train(runner)
    guard.before_train(runner)
    guard.before_train(runner)  # applied twice: wrapped once
    with pytest.raises(FloatingPointError) as info:
        runner.model.train_step({}, None)
    message = str(info.value)
    assert 'phase "sht_weak"' in message and 'iteration 12' in message
    assert term in message and '/w/iter_11.pth' in message
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

