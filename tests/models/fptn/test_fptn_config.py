"""The FPTN config piece and adversarial training through mmengine's Runner."""
from pathlib import Path

import pytest
import torch
from mmengine.config import Config
from mmengine.optim import OptimWrapperDict
from mmengine.registry import init_default_scope
from mmengine.runner import Runner
from torch.utils.data import DataLoader

import sht  # noqa: F401  (registers the modules)
from helpers.tiny_models import make_pair_batch

BASE = Path(__file__).resolve().parents[3] / 'configs' / '_base_'
FPTN_CFG = BASE / 'models' / 'fptn.py'

# Shrinks the paper-sized DHLN and FPTN of the composed config for the CPU.
TINY = {
    'model.backbone.num_keypoints': 5,
    'model.head.num_keypoints': 5,
    'model.backbone.num_stacks': 1,
    'model.backbone.stack_channels': 8,
    'model.backbone.hourglass_depth': 2,
    'model.backbone.sr_channels': 8,
    'model.backbone.num_sr_blocks': 1,
    'model.backbone.sr_hidden_channels': 8,
    'model.lr_size': 8,
    'model.lr_upsample_to': 16,
    'model.head.decoder.input_size': (32, 32),
    'model.head.decoder.heatmap_size': (16, 16),
    'model.fptn.generator.base_channels': 4,
    'model.fptn.generator.num_blocks': 1,
    'model.fptn.discriminator.base_channels': 4,
    'model.fptn.discriminator.num_res_blocks': 1,
}


def compose_sht_config(tmp_path) -> Config:
    """An SHT config built the documented way from the base pieces."""
    path = tmp_path / 'sht_celeba.py'
    path.write_text(
        f"_base_ = ['{BASE / 'default_runtime.py'}',\n"
        f"          '{BASE / 'models' / 'dhln_128.py'}',\n"
        f"          '{FPTN_CFG}']\n"
        'model = dict(type=\'SHTEstimator\', fptn={{_base_.fptn}},\n'
        "             train_mode='sht', train_cfg=dict())\n")
    cfg = Config.fromfile(str(path))
    cfg.merge_from_dict(TINY)
    return cfg


def test_config_piece_has_the_paper_settings():
    cfg = Config.fromfile(str(FPTN_CFG))
    fptn = cfg.fptn
    assert 'type' not in fptn  # the estimator builds FPTN's children
    assert dict(fptn.loss_weights) == dict(gan=0.05, l1=0.01, perceptual=0.01)
    assert fptn.generator.num_blocks == 9
    assert 4 * fptn.generator.base_channels == 256
    assert fptn.discriminator.num_res_blocks == 3
    assert fptn.gan_loss.gan_type == 'lsgan'
    assert fptn.perceptual_loss.vgg_weights is None
    for side in ('generator', 'discriminator'):
        optimizer = cfg.optim_wrapper[side].optimizer
        assert optimizer.type == 'Adam' and optimizer.lr == 2e-4
        assert tuple(optimizer.betas) == (0.5, 0.999)
    assert cfg.model_wrapper_cfg.type == 'MMSeparateDistributedDataParallel'
    assert cfg.model_wrapper_cfg.find_unused_parameters


def test_composed_config_builds_fptn_for_training_only(tmp_path):
    from mmpose.apis import init_model
    from mmpose.registry import MODELS
    init_default_scope('mmpose')
    cfg = compose_sht_config(tmp_path)
    training = MODELS.build(cfg.model)
    assert training.with_fptn
    assert training.generator.num_keypoints == 5  # taken from the head
    assert training.discriminator_s.in_channels == 5 + 3
    inference = init_model(cfg, device='cpu')
    assert not inference.with_fptn
    assert not any(k.startswith(('generator.', 'discriminator_'))
                   for k in inference.state_dict())


@pytest.mark.parametrize('mode', ['fptn', 'sht'])
def test_runner_trains_with_the_optim_wrapper_dict(tmp_path, mode):
    init_default_scope('mmpose')
    cfg = compose_sht_config(tmp_path)
    cfg.model.train_mode = mode
    # FPTN pretraining needs labeled pairs; SHT also takes unlabeled ones
    labeled = [True, True] if mode == 'fptn' else [True, True, False, False]
    batches = [make_pair_batch(labeled, seed=i) for i in range(2)]
    loader = DataLoader(batches, batch_size=1, collate_fn=lambda b: b[0])
    torch.manual_seed(0)
    runner = Runner(
        model=cfg.model,
        work_dir=str(tmp_path / 'work'),
        train_dataloader=loader,
        optim_wrapper=cfg.optim_wrapper,
        train_cfg=dict(by_epoch=False, max_iters=2),
        default_hooks=dict(logger=dict(type='LoggerHook', interval=1)),
        default_scope='mmpose',
        log_level='WARNING')
    runner.train()
    assert isinstance(runner.optim_wrapper, OptimWrapperDict)
    assert set(runner.optim_wrapper.keys()) == {'generator', 'discriminator'}
    scalars = runner.message_hub.log_scalars
    assert 'train/loss_disc' in scalars and 'train/loss_pt_gan' in scalars
    # every term is logged in every mode, 0 where the mode has none
    assert (scalars['train/loss_kpt'].current() > 0) == (mode == 'sht')
    disc_state = runner.optim_wrapper['discriminator'].optimizer.state
    assert len(disc_state) > 0  # Adam stepped the discriminators


def _optimizer_of(cfg: Config, model) -> OptimWrapperDict:
    from mmpose.registry import OPTIM_WRAPPER_CONSTRUCTORS
    wrapper_cfg = dict(cfg.optim_wrapper)
    constructor = OPTIM_WRAPPER_CONSTRUCTORS.build(
        dict(type=wrapper_cfg.pop('constructor'),
             optim_wrapper_cfg=wrapper_cfg))
    return constructor(model)


def test_custom_key_that_matches_no_parameter_is_an_error(tmp_path):
    """mmengine ignores a custom_keys entry that matches no parameter name;
    the SHT constructor names it (e.g. 'fptn' from the single-module
    layout, whose parameters are now under 'generator')."""
    from mmpose.registry import MODELS
    init_default_scope('mmpose')
    cfg = compose_sht_config(tmp_path)
    model = MODELS.build(cfg.model)
    cfg.optim_wrapper.generator.paramwise_cfg = dict(
        custom_keys={'fptn': dict(lr_mult=0.5)})
    with pytest.raises(ValueError, match=r'custom_keys\["fptn"\] matches no '
                       r"parameter of the generator side .*'generator'"):
        _optimizer_of(cfg, model)


def test_demo_runs_its_generator_at_half_the_dhln_rate():
    """The demo's generator side: DHLN at the base rate, FPTN's generator
    at half of it (lr_mult 0.5), the discriminators at their own rate."""
    from mmpose.registry import MODELS
    init_default_scope('mmpose')
    cfg = Config.fromfile(
        str(BASE.parent / 'sht' / 'demo' / 'sht_synthetic.py'))
    model = MODELS.build(cfg.model)
    optim = _optimizer_of(cfg, model)
    base = cfg.optim_wrapper.generator.optimizer.lr
    ids = {id(p): n for n, p in model.named_parameters()}
    lrs = {}
    for group in optim['generator'].param_groups:
        for param in group['params']:
            if id(param) in ids:  # (mmengine may add a placeholder tensor)
                lrs.setdefault(ids[id(param)].split('.')[0],
                               set()).add(group['lr'])
    assert lrs['backbone'] == {base}
    assert lrs['generator'] == {0.5 * base}
    assert {g['lr'] for g in optim['discriminator'].param_groups} == {
        cfg.optim_wrapper.discriminator.optimizer.lr}
