"""``start_phase`` / ``end_phase``: one list of phases, each run its part."""
import pytest
import torch
from sht.engine.loops.phase_schedule import PhaseSchedule
from sht.engine.loops.sht_train_loop import SHTTrainLoop, planned_iters

RECIPE = [
    dict(name='fptn', iters=3),
    dict(name='sht', iters=4),
    dict(name='sht_weak', iters=5, train_dataloader='weak_dataloader'),
]


def test_end_phase_bounds_the_run():
    schedule = PhaseSchedule(RECIPE, end_phase='sht')
    assert schedule.total == 7
    assert [p.name for p in schedule.run_phases] == ['fptn', 'sht']
    assert [schedule.phase_at(i).name for i in range(9)] == \
        ['fptn'] * 3 + ['sht'] * 6  # past the end: stays in end_phase
    assert 'sht_weak' not in schedule.describe()


def test_start_and_end_phase_select_one_phase():
    schedule = PhaseSchedule(RECIPE, 'sht_weak', 'sht_weak')
    assert schedule.total == 5
    assert schedule.phase_at(0).name == 'sht_weak'
    assert schedule.phase_at(0).begin == 7  # its place in the recipe
    assert [p.name for p in schedule.run_phases] == ['sht_weak']


def test_planned_iters_follow_the_phase_range():
    loop = dict(type='SHTTrainLoop', phases=RECIPE)
    assert planned_iters(loop) == 12
    assert planned_iters(dict(loop, end_phase='sht')) == 7
    assert planned_iters(dict(loop, start_phase='sht', end_phase='sht')) == 4


@pytest.mark.parametrize('start, end, message', [
    ('sht', 'fptn', 'comes before start_phase'),
    (None, 'sht_x', 'end_phase "sht_x" is not among the phases'),
])
def test_bad_phase_ranges_are_named(start, end, message):
    with pytest.raises(ValueError, match=message):
        PhaseSchedule(RECIPE, start, end)


def _loop_with(phases):
    """What ``SHTTrainLoop.check_prefixes`` reads of the loop."""
    from types import SimpleNamespace
    return SimpleNamespace(schedule=PhaseSchedule(phases))


class _Estimator(torch.nn.Module):

    def __init__(self):
        super().__init__()
        self.backbone = torch.nn.Sequential(torch.nn.Conv2d(3, 4, 3),
                                            torch.nn.BatchNorm2d(4))
        self.generator = torch.nn.Conv2d(3, 3, 1)


@pytest.mark.parametrize('phase, message', [
    (dict(name='sht', iters=2, frozen=['fptn.generator.']),
     'phase "sht": frozen prefix "fptn.generator." starts no parameter'),
    (dict(name='sht', iters=2, norm_eval=['generator.']),
     'phase "sht": norm_eval prefix "generator." starts no BatchNorm'),
])
def test_prefixes_that_match_nothing_are_named(phase, message):
    with pytest.raises(ValueError, match=message):
        SHTTrainLoop.check_prefixes(_loop_with([phase]), _Estimator())


def test_matching_and_default_prefixes_pass():
    # 'fptn' freezes backbone., neck., head. by default; this model has no
    # neck or head, which is fine for the defaults
    SHTTrainLoop.check_prefixes(
        _loop_with([
            dict(name='fptn', iters=2),
            dict(name='sht', iters=2, frozen=['generator.'],
                 norm_eval=['backbone.'])
        ]), _Estimator())
