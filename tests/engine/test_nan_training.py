"""A NaN loss during a real run stops it with a message naming the phase
and the loss term and a checkpoint whose weights are good; following the
message's command resumes from it with another learning rate."""
import os
import os.path as osp
import re
import shlex
import subprocess
import sys

import pytest
import torch
from helpers.engine_testing import (REPO_ROOT, TINY_CONFIG, read_scalars,
                                    train_command, train_env)
from mmengine.config import Config
from mmengine.hooks import Hook
from mmengine.runner import Runner

from sht.utils import unwrap_model

POISON_AT = 4  # 0-based; phase 'fptn' covers iterations 3-5


class PoisonGeneratorHook(Hook):
    """Fill FPTN's generator weights with NaN before one iteration."""

    priority = 'LOWEST'

    def __init__(self, at: int) -> None:
        self.at = at

    def before_train_iter(self, runner, batch_idx, data_batch=None):
        if runner.iter == self.at:
            with torch.no_grad():
                for param in unwrap_model(
                        runner.model).generator.parameters():
                    param.fill_(float('nan'))


def test_nan_stops_training_and_keeps_last_good_checkpoint(
        tiny_data, tmp_path, monkeypatch):
    monkeypatch.setenv('SHT_TINY_DATA', tiny_data)
    cfg = Config.fromfile(TINY_CONFIG, format_python_code=False)  # faster
    cfg.work_dir = str(tmp_path / 'nan')
    cfg.train_cfg.max_iters = POISON_AT + 2
    cfg.default_hooks.checkpoint.save_begin = 1
    cfg.custom_hooks = [h for h in cfg.custom_hooks
                        if h['type'] != 'ParamDigestHook']
    runner = Runner.from_cfg(cfg)
    runner.register_hook(PoisonGeneratorHook(POISON_AT))
    with pytest.raises(FloatingPointError) as info:
        runner.train()
    message = str(info.value)
    assert 'phase "fptn"' in message
    assert f'iteration {POISON_AT + 1}' in message
    assert 'loss_pt_' in message and 'nan' in message
    last_good = osp.join(cfg.work_dir, f'iter_{POISON_AT}.pth')
    assert f'the last good checkpoint is {last_good}' in message
    # nothing was saved for the failing iteration
    saved = sorted(f for f in os.listdir(cfg.work_dir) if f.endswith('.pth'))
    assert f'iter_{POISON_AT}.pth' in saved
    assert f'iter_{POISON_AT + 1}.pth' not in saved
    with open(osp.join(cfg.work_dir, 'last_checkpoint')) as f:
        assert f.read().strip() == last_good
    ckpt = torch.load(last_good, map_location='cpu', weights_only=False)
    assert all(
        torch.isfinite(v).all() for k, v in ckpt['state_dict'].items()
        if v.is_floating_point())


def run(cmd, data_root):
    proc = subprocess.run(cmd, cwd=REPO_ROOT, env=train_env(data_root),
                          capture_output=True, text=True, timeout=300)
    return proc.returncode, proc.stdout + proc.stderr


def test_diverged_lr_names_a_bounded_checkpoint_and_resume_works(
        tiny_data, tmp_path):
    """Discriminator lr 1e12: the weights blow up at the first FPTN step
    (iteration 4), the loss turns NaN two iterations later. The message
    names iter_3.pth (the last checkpoint with bounded weights), not the
    newest one, and its command resumes with a changed lr to the end."""
    work = str(tmp_path / 'lr')
    rc, out = run(train_command(work, cfg_options=[
        'optim_wrapper.discriminator.optimizer.lr=1e12',
        'default_hooks.checkpoint.save_begin=1',
        'default_hooks.checkpoint.max_keep_ckpts=20']), tiny_data)
    assert rc != 0, out[-3000:]
    message = next(line for line in out.splitlines()
                   if line.startswith('FloatingPointError: training stopped'))
    good = osp.join(work, 'iter_3.pth')
    assert f'the last good checkpoint is {good}' in message
    assert re.search(r'iter_4\.pth: discriminator weight \S+ reaches '
                     r'\|w\| = 1e\+12', message), message
    newest = max(int(f[5:-4]) for f in os.listdir(work)
                 if f.startswith('iter_'))
    assert newest > 3  # a newer checkpoint exists but is not named
    ckpt = torch.load(good, map_location='cpu', weights_only=False)
    assert max(float(v.abs().max()) for v in ckpt['state_dict'].values()
               if v.is_floating_point() and v.numel()) < 1e6
    # follow the message: its command with the discriminator lr changed
    command = shlex.split(message.split('change the lr values in: ')[1])
    command = [sys.executable] + [
        re.sub(r'^(optim_wrapper\.discriminator\.optimizer\.lr)=.*',
               r'\1=0.0002', part) for part in command[1:]]
    rc, out = run(command, tiny_data)
    assert rc == 0, out[-3000:]
    assert 'resumed epoch: 0, iter: 3' in out
    assert 'discriminator group 0: lr 1e+12 -> 0.0002' in out
    scalars = read_scalars(work)
    assert sorted(scalars)[-1] == 14
    for step in range(4, 15):
        assert scalars[step]['discriminator.lr'] == pytest.approx(2e-4)
        assert all(v == v and abs(v) < 1e6 for k, v in scalars[step].items()
                   if k.startswith('loss'))
