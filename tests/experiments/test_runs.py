"""Run configs of the demo: phase lengths, the equal-budget arms, checks."""
import math
import os.path as osp

import pytest

from helpers import REPO_ROOT as REPO
from helpers import load_tool
from sht.engine import planned_iters
from sht.experiments import ExperimentPlan, load_run_config, phase_ends
from sht.experiments.report import demo_checks

DEMO = osp.join(REPO, 'configs', 'sht', 'demo')
ITERS = dict(dhln=6, fptn=3, sht=3, sht_weak=6)


def test_four_phase_config_with_new_lengths(tmp_path):
    cfg = load_run_config(osp.join(DEMO, 'sht_synthetic.py'), tmp_path,
                          ITERS)
    assert phase_ends(cfg) == [('dhln', 6), ('fptn', 9), ('sht', 12),
                               ('sht_weak', 18)]
    assert cfg.default_hooks.checkpoint.interval == 3
    assert cfg.param_scheduler.generator[0].milestones == [9]
    cut = load_run_config(osp.join(DEMO, 'sht_synthetic.py'), tmp_path,
                          ITERS, stop_after='fptn')
    assert planned_iters(cut.train_cfg) == 9
    assert [p.name for p in cut.train_cfg.phases] == ['dhln', 'fptn']
    assert phase_ends(cut) == [('dhln', 6), ('fptn', 9)]
    with pytest.raises(ValueError, match='stop_after'):
        load_run_config(osp.join(DEMO, 'sht_synthetic.py'), tmp_path,
                        stop_after='nope')


def test_sht_and_control_differ_in_fptn_alone(tmp_path):
    """Same start, data, lengths, rates and norm_eval; modes differ."""
    plan = ExperimentPlan(DEMO, str(tmp_path), ITERS, seeds=[3])
    sht, ctl = plan.config('sht', 3), plan.config('control', 3)
    assert sht.load_from == ctl.load_from == plan.pretrained()
    assert plan.pretrained().endswith(osp.join('pretrain', 'iter_9.pth'))
    assert sht.randomness.seed == ctl.randomness.seed == 3
    assert phase_ends(sht) == phase_ends(ctl) == [('sht', 3),
                                                  ('sht_weak', 9)]
    for key in ('optim_wrapper', 'param_scheduler', 'weak_dataloader',
                'gan_dataloader', 'model'):
        assert sht[key] == ctl[key], key
    hooks = [c.train_cfg for c in (sht, ctl)]
    assert hooks[0].start_phase == hooks[1].start_phase == 'sht'
    for a, b in zip(hooks[0].phases, hooks[1].phases):
        extra = dict(b)
        if b['name'] in ('sht', 'sht_weak'):
            assert extra.pop('mode') == 'dhln'
        assert dict(a) == extra
    assert sht.optim_wrapper.generator.optimizer.lr == pytest.approx(
        sht.generator_lr * sht.finetune_lr_factor)


def test_baselines_have_phase_one_budget(tmp_path):
    plan = ExperimentPlan(DEMO, str(tmp_path), ITERS)
    pre = plan.config('pretrain')
    for arm in ('shn', 'fhs'):
        cfg = plan.config(arm)
        assert planned_iters(cfg.train_cfg) == ITERS['dhln']
        assert cfg.optim_wrapper.optimizer.lr == \
            pre.optim_wrapper.generator.optimizer.lr
        assert cfg.train_dataloader == pre.train_dataloader
    assert plan.config('shn').model.backbone.with_sr_stream is False
    assert plan.config('shn').model.lr_size == pre.hr_size
    assert plan.config('fhs').model.backbone.with_landmark_stream is False
    assert [c.work_dir for c in plan.runs()][0] == pre.work_dir


def test_checks_judge_the_final_sht_model():
    rows = [dict(name='mean shape', NME_io=16.0, PSNR=math.nan),
            dict(name='bicubic', NME_io=math.nan, PSNR=35.0),
            dict(name='DHLN (phase 1)', NME_io=6.0, PSNR=39.0),
            dict(name='SHT + unlabeled video (phase 4)', NME_io=9.0,
                 PSNR=39.0),
            dict(name='DHLN continued (phase 4)', NME_io=5.0, PSNR=39.0)]
    ok, lines = demo_checks(rows)
    assert not ok and 'phase 4' in lines[0] and 'FAIL' in lines[0]
    rows[3] = dict(rows[3], NME_io=7.9)
    ok, lines = demo_checks(rows)
    assert ok and '0.49 x' in lines[0]


def test_ablation_tool_over_two_seeds(tmp_path, monkeypatch):
    """The seed ablation on a few faces: JSON and markdown with a paired
    interval per phase, seeds kept apart."""
    import json

    from sht.synthetic import write_300vw, write_300w
    data = tmp_path / 'data'
    write_300w(data / '300w', num_per_subset=2, seed=0, image_size=96)
    write_300vw(data / '300vw', num_videos=2, frames_per_video=3, seed=0,
                image_size=96)
    monkeypatch.setenv('SHT_DEMO_DATA', str(data))
    tool = load_tool('tools/analysis/ablation.py')
    work = tmp_path / 'work'
    assert tool.main(['--work-dir', str(work), '--seeds', '0', '1',
                      '--phase-iters', '1', '1', '1', '1',
                      '--threads', '1']) == 0
    with open(work / 'ablation.json') as f:
        out = json.load(f)
    assert [p['phase'] for p in out['paired']] == ['sht', 'sht_weak']
    for row in out['paired']:
        assert row['sht']['n'] == row['control']['n'] == 2
        assert len(row['per_seed_diff']) == 2
        assert row['ci_low'] <= row['mean_diff'] <= row['ci_high']
    assert 'SHT - control' in (work / 'ablation.md').read_text()
    assert (work / 'sht_seed1' / 'iter_2.pth').is_file()
