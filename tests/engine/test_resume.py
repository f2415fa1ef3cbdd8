"""Kill-and-resume through all four SHT phases is exact.

A run killed with SIGKILL mid phase 3 and resumed with ``--resume`` must
log, for every iteration after the resume point, the same losses as an
uninterrupted run with the same seed, and end with the same weights and the
same optimizer states on both sides (generator and discriminator).
"""
import os.path as osp

from helpers.engine_testing import (KILL_AT, MAX_ITERS, assert_same_losses,
                                    assert_same_tensors, console,
                                    load_checkpoint_file, loss_terms,
                                    read_scalars)


def test_killed_run_died_mid_phase_three(resume_runs):
    assert resume_runs['killed_returncode'] < 0  # SIGKILL, no clean-up
    assert resume_runs['last_before_resume'].endswith(f'iter_{KILL_AT}.pth')
    log = console(resume_runs['interrupted'])
    assert f'resumed epoch: 0, iter: {KILL_AT}' in log
    # the resumed run starts in phase 'sht' and switches to 'sht_weak' on
    # time; phases 1-2 are not entered again
    resumed_log = log.split(f'resumed epoch: 0, iter: {KILL_AT}')[1]
    assert f'SHT phase "sht" (training mode \'sht\'): continuing at iter ' \
        f'{KILL_AT}' in resumed_log
    assert 'SHT phase "sht_weak" (training mode \'sht\') begins at iter 10' \
        in resumed_log
    assert 'phase "dhln"' not in resumed_log
    assert 'phase "fptn"' not in resumed_log


def test_losses_after_resume_equal_uninterrupted_run(resume_runs):
    reference = read_scalars(resume_runs['reference'])
    resumed = read_scalars(resume_runs['interrupted'])
    assert sorted(reference) == list(range(1, MAX_ITERS + 1))
    assert sorted(resumed) == list(range(1, MAX_ITERS + 1))
    # steps <= KILL_AT come from the killed attempt, the rest from the
    # resumed one
    assert_same_losses(reference, resumed, range(1, MAX_ITERS + 1))
    # every phase logs every term of the objective, 0 where the phase does
    # not compute it: DHLN only, FPTN with the discriminator side, then
    # both; no term shows a stale value of an earlier phase (FPTN
    # pretraining has no heatmap loss)
    assert set(loss_terms(reference[3])) == set(loss_terms(reference[4]))
    assert reference[3]['loss_pt_l1'] == 0 and reference[3]['loss_disc'] == 0
    assert reference[3]['loss_kpt'] > 0 and reference[4]['loss_disc'] > 0
    assert reference[4]['loss_kpt'] == 0 and reference[4]['loss_sr'] == 0
    assert reference[MAX_ITERS]['loss_sr'] > 0
    assert reference[MAX_ITERS]['loss_pt_l1'] > 0


def test_final_weights_and_optimizer_states_match(resume_runs):
    name = f'iter_{MAX_ITERS}.pth'
    expected = load_checkpoint_file(osp.join(resume_runs['reference'], name))
    actual = load_checkpoint_file(osp.join(resume_runs['interrupted'], name))
    assert actual['meta']['iter'] == expected['meta']['iter'] == MAX_ITERS
    assert_same_tensors(expected['state_dict'], actual['state_dict'],
                         'state_dict')
    for side in ('generator', 'discriminator'):
        exp_state = expected['optimizer'][side]['state']
        act_state = actual['optimizer'][side]['state']
        assert exp_state, f'{side}: no optimizer state'
        assert_same_tensors(exp_state, act_state, f'optimizer.{side}')
        assert_same_tensors(expected['optimizer'][side]['param_groups'],
                             actual['optimizer'][side]['param_groups'],
                             f'optimizer.{side}.param_groups')


def test_resume_restored_both_optimizer_sides(resume_runs):
    """The checkpoint the run resumed from holds Adam moments of both sides
    (phase 2 already stepped the discriminators), so an exact final state
    needs them restored, not rebuilt."""
    ckpt = load_checkpoint_file(resume_runs['resumed_from'])
    assert ckpt['meta']['iter'] == KILL_AT
    for side in ('generator', 'discriminator'):
        steps = {
            float(s['step'])
            for s in ckpt['optimizer'][side]['state'].values()
        }
        assert steps and max(steps) > 0, side
