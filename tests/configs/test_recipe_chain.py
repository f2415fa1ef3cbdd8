"""The rows of one table chain into the paper's recipe (Sec. 4.1): DHLN
(phase 1) -> SHT (phases 2-3, from DHLN's last checkpoint) -> SHT-v (phase
4 with unlabeled frames, from SHT's last checkpoint). Run as configured, on
fixture data, with the networks and the schedules shrunk (CPU, seconds)."""
import copy
import os
import os.path as osp
import re

import torch
from helpers.config_testing import load_row, with_data_roots
from mmengine.registry import init_default_scope
from mmengine.runner import Runner

from sht.engine import planned_iters

# Smaller networks; layer counts and channels only (sizes, losses, data,
# phases and optimizers stay the row's).
TINY_DHLN = {
    'model.backbone.num_stacks': 1,
    'model.backbone.stack_channels': 16,
    'model.backbone.hourglass_depth': 2,
    'model.backbone.sr_channels': 8,
    'model.backbone.num_sr_blocks': 1,
    'model.backbone.sr_hidden_channels': 8,
}
TINY_FPTN = {
    'model.fptn.generator.base_channels': 4,
    'model.fptn.generator.num_blocks': 1,
    'model.fptn.discriminator.base_channels': 4,
    'model.fptn.discriminator.num_res_blocks': 1,
    # random VGG weights: the tests have no weight file
    'model.fptn.perceptual_loss.vgg_weights': None,
}
PHASE_ITERS = 2
PAIRS_PER_BATCH = 2


def _small_loader(loader: dict, fixtures: dict, batch_size: int) -> dict:
    loader = with_data_roots(copy.deepcopy(loader), fixtures)
    loader.update(
        num_workers=0, persistent_workers=False, batch_size=batch_size)
    if loader['sampler']['type'] == 'MixedRatioSampler':
        loader['sampler']['batch_size'] = batch_size
    return loader


def _shrunk(name: str, fixtures: dict):
    """The row's config with tiny networks, data and schedule; its work dir
    and load_from keep their places (work_dirs/<row>/), only the number of
    the last epoch / iteration follows the shrunk schedule."""
    cfg = copy.deepcopy(load_row(name))
    cfg.merge_from_dict(TINY_DHLN)
    if cfg.train_cfg.get('type') != 'SHTTrainLoop':
        cfg.train_cfg.max_epochs = 1
        cfg.train_dataloader = _small_loader(cfg.train_dataloader, fixtures, 4)
    else:
        cfg.merge_from_dict(TINY_FPTN)
        for phase in cfg.train_cfg.phases:
            phase.iters = PHASE_ITERS
        iters = planned_iters(cfg.train_cfg)
        cfg.train_cfg.val_interval = iters
        cfg.default_hooks.checkpoint.interval = iters
        cfg.train_dataloader = _small_loader(cfg.train_dataloader, fixtures,
                                             PAIRS_PER_BATCH)
        if 'weak_dataloader' in cfg:
            cfg.weak_dataloader = _small_loader(cfg.weak_dataloader, fixtures,
                                                PAIRS_PER_BATCH)
    if cfg.get('load_from'):
        cfg.load_from = re.sub(r'epoch_\d+\.pth$', 'epoch_1.pth',
                               cfg.load_from)
        cfg.load_from = re.sub(r'iter_\d+\.pth$',
                               f'iter_{2 * PHASE_ITERS}.pth', cfg.load_from)
    cfg.val_dataloader = _small_loader(cfg.val_dataloader, fixtures, 2)
    cfg.test_dataloader = cfg.val_dataloader
    cfg.work_dir = osp.join('work_dirs', name)  # tools/train.py's default
    cfg.log_level = 'WARNING'
    return cfg


def _record_loaded_weights(runner: Runner) -> dict:
    """The model's weights right after the runner loads ``load_from``
    (the runner initialises, then loads, then trains)."""
    loaded = {}
    load = runner.load_or_resume

    def load_and_record() -> None:
        load()
        loaded.update({
            key: value.detach().clone()
            for key, value in runner.model.state_dict().items()
        })

    runner.load_or_resume = load_and_record
    return loaded


def test_helen_rows_run_the_four_phases_in_chain(tmp_path, monkeypatch,
                                                 dataset_fixtures):
    monkeypatch.chdir(tmp_path)
    init_default_scope('mmpose')
    chain = ['DHLN_Helen', 'SHT_Helen', 'SHT-v_Helen']
    for name in chain:
        cfg = _shrunk(name, dataset_fixtures)
        if cfg.get('load_from'):
            # the previous row left its last checkpoint exactly there
            assert osp.isfile(cfg.load_from), (name, cfg.load_from)
        runner = Runner.from_cfg(cfg)
        loaded = _record_loaded_weights(runner)
        runner.train()
        if cfg.get('load_from'):
            # training started from the previous row's weights: DHLN, and
            # FPTN when the previous row has one
            saved = torch.load(
                cfg.load_from, map_location='cpu', weights_only=False)
            saved = saved['state_dict']
            expected = 'generator.' if name == 'SHT-v_Helen' else 'backbone.'
            assert any(k.startswith(expected) for k in saved)
            for key, value in saved.items():
                assert torch.equal(loaded[key], value), (name, key)
        scalars = runner.message_hub.log_scalars
        if name == 'DHLN_Helen':
            assert runner.epoch == 1
            assert osp.isfile('work_dirs/DHLN_Helen/epoch_1.pth')
            assert 'train/loss_grad' in scalars
            continue
        # SHT rows: the train loop ran the phases of the row
        last_phase = 'sht_weak' if name == 'SHT-v_Helen' else 'sht'
        assert runner.train_loop.current_phase.name == last_phase
        assert runner.iter == planned_iters(cfg.train_cfg)
        assert 'train/loss_pt_gan' in scalars and 'train/loss_disc' in scalars
        assert osp.isfile(f'work_dirs/{name}/iter_{runner.iter}.pth')
        # validation ran on the row's metrics, and picked the best by PSNR
        assert any(
            f.startswith('best_PSNR') for f in os.listdir(f'work_dirs/{name}'))
