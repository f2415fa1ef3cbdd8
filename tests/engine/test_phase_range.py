"""``start_phase`` / ``end_phase``: one list of phases, each run its part."""
import pytest
from sht.engine.loops.phase_schedule import PhaseSchedule
from sht.engine.loops.sht_train_loop import planned_iters

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
