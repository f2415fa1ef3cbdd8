"""SHT estimator (Eq. 9-10): pairs, gamma1 mask, gradients, train_step."""
import contextlib
from unittest import mock

import pytest
import torch
from mmengine.optim import OptimWrapper, OptimWrapperDict, build_optim_wrapper
from mmengine.registry import init_default_scope
from mmengine.runner import load_checkpoint, save_checkpoint
from mmpose.registry import MODELS

import sht  # noqa: F401  (registers the modules)
from sht.engine.checkpoint_keys import FPTN_CHILDREN
from sht.models.fptn import split_generator_discriminator
from sht.models.pose_estimators.sht_estimator import (OBJECTIVE_TERMS,
                                                    SHTEstimator)
from helpers.tiny_models import make_pair_batch, tiny_sht_cfg

FPTN_PREFIXES = tuple(f'{name}.' for name in FPTN_CHILDREN)
ADAM = dict(type='Adam', lr=1e-3, betas=(0.5, 0.999))
OPTIM_CFG = dict(
    constructor='SHTOptimWrapperConstructor',
    generator=dict(type='OptimWrapper', optimizer=ADAM),
    discriminator=dict(type='OptimWrapper', optimizer=ADAM))


@pytest.fixture(autouse=True)
def _scope():
    init_default_scope('mmpose')


def build(train_mode='sht', train_cfg=None, seed=0, **kwargs):
    torch.manual_seed(seed)
    model = MODELS.build(
        tiny_sht_cfg(
            train_cfg=dict() if train_cfg is None else train_cfg,
            train_mode=train_mode,
            **kwargs))
    model.init_weights()
    return model.train()


def preprocess(model, batch):
    data = model.data_preprocessor(batch, True)
    return data['inputs'], data['data_samples']


def snapshot(module):
    return {k: v.detach().clone() for k, v in module.state_dict().items()}


def params(module):
    return {k: v.detach().clone() for k, v in module.named_parameters()}


def changed(before, module):
    after = dict(module.named_parameters(), **module.state_dict())
    return [k for k, v in before.items() if not torch.equal(v, after[k])]


# ---------------------------------------------------------------- Eq. 10
def test_unlabeled_views_contribute_no_heatmap_loss():
    model = build()
    inputs, samples = preprocess(model, make_pair_batch([False] * 4))
    losses = model.loss(inputs, samples)
    assert losses['loss_kpt'].item() == 0.0
    assert losses['loss_sr'].item() > 0  # L'_DH keeps the image terms
    assert losses['loss_pt_l1'].item() > 0
    labeled = model.loss(inputs, preprocess(
        model, make_pair_batch([True] * 4))[1])
    assert labeled['loss_kpt'].item() > 0

    # mixed batch: the targets of the unlabeled pair do not matter
    mixed = make_pair_batch([True, True, False, False], seed=1)
    inputs, samples = preprocess(model, mixed)
    loss_a = model.loss(inputs, samples)['loss_kpt'].item()
    for sample in samples[2:]:
        sample.gt_fields.heatmaps = torch.rand_like(sample.gt_fields.heatmaps)
    loss_b = model.loss(inputs, samples)['loss_kpt'].item()
    assert loss_a == pytest.approx(loss_b, rel=1e-6) and loss_a > 0


# ---------------------------------------------------------------- Eq. 9
def _record_calls(module, calls, name, active=None):
    """Forward pre-hook recording every call through ``module.__call__``
    (name, inputs, and the optim contexts active then)."""

    def hook(_, args):
        calls.append((name, args, list(active or [])))

    return module.register_forward_pre_hook(hook)


def test_fptn_gets_both_directions_of_every_pair():
    model = build()
    inputs, samples = preprocess(model, make_pair_batch([True] * 4))
    calls = []
    for name in ('generator', 'perceptual_loss'):
        _record_calls(getattr(model, name), calls, name)
    model.loss(inputs, samples)
    (gen, (cond, cond_hm, tgt_hm), _), (per, (_, tgt), _) = calls
    assert (gen, per) == ('generator', 'perceptual_loss')
    feats = model.extract_feat(inputs)  # same batch, same weights
    sr, hm = feats.sr, feats.heatmaps[-1]
    # rows 0..P-1: (SR_j, H_j, H_k) -> HR_k; rows P..2P-1: k -> j
    torch.testing.assert_close(cond, torch.cat([sr[0::2], sr[1::2]]))
    torch.testing.assert_close(cond_hm, torch.cat([hm[0::2], hm[1::2]]))
    torch.testing.assert_close(tgt_hm, torch.cat([hm[1::2], hm[0::2]]))
    torch.testing.assert_close(tgt, torch.cat([inputs[1::2], inputs[0::2]]))
    assert cond.requires_grad and cond_hm.requires_grad  # not detached


def test_transfer_loss_alone_reaches_both_dhln_streams():
    model = build()
    inputs, samples = preprocess(model, make_pair_batch([False] * 4))
    losses = model.loss(inputs, samples)
    transfer = sum(v for k, v in losses.items() if k.startswith('loss_pt'))
    transfer.backward()
    backbone = model.backbone

    def grad_norm(module):
        return sum(p.grad.abs().sum().item() for p in module.parameters()
                   if p.grad is not None)

    assert grad_norm(backbone.hourglasses) > 0  # landmark stream
    assert grad_norm(backbone.heatmap_convs[-1]) > 0  # via H (heatmaps)
    assert grad_norm(backbone.sr_modules) > 0  # face hallucination stream
    assert grad_norm(backbone.sr_tail) > 0  # via SR (condition faces)


def test_detached_transfer_face_trains_dhln_through_heatmaps_only():
    """detach_transfer_face=True: L_PT reaches the landmark stream (through
    H) but not the SR tail, which only the condition faces connect."""
    model = build()
    model.detach_transfer_face = True
    inputs, samples = preprocess(model, make_pair_batch([False] * 4))
    losses = model.loss(inputs, samples)
    sum(v for k, v in losses.items() if k.startswith('loss_pt')).backward()
    backbone = model.backbone
    assert any(p.grad is not None and p.grad.abs().sum() > 0
               for p in backbone.heatmap_convs[-1].parameters())
    assert all(p.grad is None or p.grad.abs().sum() == 0
               for p in backbone.sr_tail.parameters())


def test_odd_batch_is_rejected():
    model = build()
    inputs, samples = preprocess(model, make_pair_batch([True] * 3))
    with pytest.raises(ValueError, match='pairs'):
        model.loss(inputs, samples)


# -------------------------------------------------------------- train_step
def test_optim_wrapper_constructor_splits_the_players():
    model = build()
    wrappers = build_optim_wrapper(model, dict(OPTIM_CFG))
    assert isinstance(wrappers, OptimWrapperDict)
    assert set(wrappers.keys()) == {'generator', 'discriminator'}

    def ids(wrapper):
        return {
            id(p)
            for group in wrapper.optimizer.param_groups
            for p in group['params']
        }

    gen_expected = {id(p) for p in model.backbone.parameters()}
    gen_expected |= {id(p) for p in model.generator.parameters()}
    disc_expected = {id(p) for p in model.discriminator_a.parameters()}
    disc_expected |= {id(p) for p in model.discriminator_s.parameters()}
    assert ids(wrappers['generator']) == gen_expected
    assert ids(wrappers['discriminator']) == disc_expected
    # every trainable parameter is on exactly one side; the VGG on none
    trainable = {id(p) for p in model.parameters() if p.requires_grad}
    assert gen_expected | disc_expected == trainable
    assert not gen_expected & disc_expected
    group = wrappers['discriminator'].optimizer.param_groups[0]
    assert group['betas'] == (0.5, 0.999)
    views = split_generator_discriminator(model)
    own = dict(model.named_parameters())
    for view in views.values():  # the model's own parameter names
        for name, param in view.named_parameters():
            assert own[name] is param, name
    assert {n.split('.')[0] for n, _ in views['generator'].named_parameters()
            } == {'backbone', 'generator'}

    inference = MODELS.build(tiny_sht_cfg(train_cfg=None))
    with pytest.raises(ValueError, match='no FPTN'):
        build_optim_wrapper(inference, dict(OPTIM_CFG))


def test_train_step_updates_generator_then_discriminator():
    model = build('sht')
    wrappers = build_optim_wrapper(model, dict(OPTIM_CFG))
    parts = dict(
        backbone=model.backbone,
        generator=model.generator,
        d_a=model.discriminator_a,
        d_s=model.discriminator_s,
        vgg=model.perceptual_loss)
    before = {name: snapshot(m) for name, m in parts.items()}
    log_vars = model.train_step(
        make_pair_batch([True, True, False, False]), wrappers)
    for name in ('backbone', 'generator', 'd_a', 'd_s'):
        assert changed(before[name], parts[name]), name
    assert not changed(before['vgg'], parts['vgg'])
    for key in ('loss', 'loss_kpt', 'loss_sr', 'loss_pt_gan', 'loss_pt_l1',
                'loss_pt_perceptual', 'loss_disc', 'loss_da_real',
                'loss_ds_fake'):
        assert torch.isfinite(torch.as_tensor(log_vars[key])), key
    # discriminators are trainable again after the generator step
    for discriminator in (model.discriminator_a, model.discriminator_s):
        assert all(p.requires_grad for p in discriminator.parameters())


@pytest.mark.parametrize('mode', ['dhln', 'fptn', 'sht'])
def test_every_mode_logs_the_terms_of_the_sht_objective(mode):
    """The 'sht' mode computes exactly OBJECTIVE_TERMS; the other modes
    log the same columns, 0 for the terms they do not compute."""
    model = build(mode)
    wrappers = build_optim_wrapper(model, dict(OPTIM_CFG))
    log_vars = model.train_step(make_pair_batch([True] * 4), wrappers)
    assert set(log_vars) == {'loss', 'acc_pose', *OBJECTIVE_TERMS}
    computed = {name for name in OBJECTIVE_TERMS if float(log_vars[name])}
    dhln = {'loss_kpt', 'loss_sr', 'loss_grad'}
    expected = {
        'dhln': dhln,
        'fptn': set(OBJECTIVE_TERMS) - dhln,
        'sht': set(OBJECTIVE_TERMS)
    }[mode]
    assert computed == expected


def test_each_side_runs_in_its_own_optim_context():
    """AMP / accumulation contexts apply per sub-wrapper."""
    model = build('sht')
    active = []

    class RecordingWrapper(OptimWrapper):

        @contextlib.contextmanager
        def optim_context(self, module):
            active.append(self.name)
            yield
            active.pop()

    def wrapper(name, params):
        w = RecordingWrapper(torch.optim.Adam(params, lr=1e-3))
        w.name = name
        return w

    views = split_generator_discriminator(model)
    wrappers = OptimWrapperDict(
        generator=wrapper('generator', views['generator'].parameters()),
        discriminator=wrapper('discriminator',
                              views['discriminator'].parameters()))
    seen = []
    for name in ('generator', 'discriminator_a', 'discriminator_s'):
        _record_calls(getattr(model, name), seen, name, active)
    model.train_step(make_pair_batch([True] * 4), wrappers)
    # G step: G, then D_A and D_S judging I_ger; D step: real, then fake
    players = ['discriminator_a', 'discriminator_s']
    assert [(name, ctx) for name, _, ctx in seen] == (
        [('generator', ['generator'])] +
        [(name, ['generator']) for name in players] +
        [(name, ['discriminator']) for name in players * 2])


def test_fptn_mode_trains_fptn_and_leaves_dhln_unchanged():
    model = build('fptn')
    wrappers = build_optim_wrapper(model, dict(OPTIM_CFG))
    dhln_before = snapshot(model.backbone)
    gen_before = snapshot(model.generator)
    d_before = snapshot(model.discriminator_s)
    with mock.patch.object(
            model.backbone, 'forward',
            side_effect=AssertionError('DHLN ran')):
        log_vars = model.train_step(make_pair_batch([True] * 4), wrappers)
    assert not changed(dhln_before, model.backbone)
    assert changed(gen_before, model.generator)
    assert changed(d_before, model.discriminator_s)
    assert log_vars['loss_kpt'] == 0 and log_vars['loss_pt_l1'] > 0
    with pytest.raises(ValueError, match='unlabeled'):
        model.train_step(make_pair_batch([True, False]), wrappers)


def test_dhln_mode_leaves_fptn_unchanged():
    model = build('dhln')
    wrappers = build_optim_wrapper(model, dict(OPTIM_CFG))
    fptn_before = {name: snapshot(getattr(model, name))
                   for name in FPTN_CHILDREN}
    dhln_before = snapshot(model.backbone)
    log_vars = model.train_step(make_pair_batch([True] * 4), wrappers)
    for name, before in fptn_before.items():
        assert not changed(before, getattr(model, name)), name
    assert changed(dhln_before, model.backbone)
    assert log_vars['loss_disc'] == 0 and log_vars['loss_pt_gan'] == 0


def test_train_mode_is_a_settable_attribute():
    model = build('dhln')
    model.train_mode = 'sht'
    assert model.train_mode == 'sht'
    with pytest.raises(ValueError, match="'dhln', 'fptn', 'sht'"):
        model.train_mode = 'gan'


def test_non_finite_loss_names_mode_and_term():
    model = build('sht')
    wrappers = build_optim_wrapper(model, dict(OPTIM_CFG))
    model.fptn_loss_weights['l1'] = float('nan')
    before = params(model)
    with pytest.raises(FloatingPointError) as error:
        model.train_step(make_pair_batch([True] * 4), wrappers)
    message = str(error.value)
    assert "'sht'" in message and 'loss_pt_l1' in message
    assert 'generator' in message
    assert not changed(before, model)  # nothing was stepped
    with pytest.raises(FloatingPointError, match="'fptn'.*discriminator"):
        model.check_finite(dict(loss_da_real=torch.tensor(float('inf'))),
                           'fptn', 'discriminator')


# --------------------------------------------------------------- inference
def test_inference_model_has_no_fptn(tmp_path):
    training = build('sht')
    assert training.with_fptn
    inference = MODELS.build(tiny_sht_cfg(train_cfg=None))
    assert not inference.with_fptn
    assert not any(hasattr(inference, name) for name in FPTN_CHILDREN)
    assert not any(k.startswith(FPTN_PREFIXES) for k in inference.state_dict())

    # a training checkpoint loads into the inference model without FPTN
    ckpt = tmp_path / 'sht.pth'
    save_checkpoint(dict(state_dict=training.state_dict()), str(ckpt))
    with mock.patch('mmengine.runner.checkpoint.print_log') as log, \
            mock.patch(f'{SHTEstimator.__module__}.print_log') as own_log:
        load_checkpoint(inference, str(ckpt), map_location='cpu')
    assert not any('unexpected' in str(c.args[0]) for c in log.call_args_list)
    num_fptn = sum(k.startswith(FPTN_PREFIXES) for k in training.state_dict())
    (message, ), _ = own_log.call_args
    assert f'ignored {num_fptn} FPTN entries' in message
    for name, value in inference.state_dict().items():
        assert torch.equal(value, training.state_dict()[name]), name


def test_mmpose_init_model_builds_dhln_only(tmp_path):
    from mmpose.apis import init_model
    config = tmp_path / 'sht_tiny.py'
    config.write_text(
        "custom_imports = dict(imports=['sht'], allow_failed_imports=False)\n"
        "default_scope = 'mmpose'\n"
        f'model = {tiny_sht_cfg(train_cfg=dict())!r}\n')
    model = init_model(str(config), device='cpu')
    assert not model.with_fptn
    assert not any(n.startswith(FPTN_PREFIXES)
                   for n, _ in model.named_parameters())
    assert type(model).__name__ == 'SHTEstimator'
