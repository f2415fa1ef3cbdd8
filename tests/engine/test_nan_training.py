"""A NaN loss during a real run stops it with a message naming the phase
and the loss term, and the last good checkpoint stays the newest one."""
import os
import os.path as osp

import pytest
import torch
from engine_testing import TINY_CONFIG
from mmengine.config import Config
from mmengine.hooks import Hook
from mmengine.runner import Runner

from sht.engine.hooks import unwrap_model

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
                        runner.model).fptn.generator.parameters():
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
