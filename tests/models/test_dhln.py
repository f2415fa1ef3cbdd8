"""DHLN backbone + head + estimator: shapes, switches, Eq. 4, prediction,
and a short training run, all on tiny CPU models."""
import numpy as np
import pytest
import torch
from helpers.tiny_models import make_face_batch, tiny_model_cfg
from mmengine.registry import init_default_scope
from mmengine.structures import InstanceData, PixelData
from mmpose.registry import MODELS
from mmpose.structures import PoseDataSample

from sht.models import DHLNFeatures, gradient_map

init_default_scope('mmpose')


def build(cfg):
    torch.manual_seed(0)
    return MODELS.build(cfg)


def codec_of(cfg):
    return cfg['head']['decoder']


# ------------------------------------------------------------------ shapes
@pytest.mark.parametrize('hr,lr,up,sr_scale', [
    (128, 16, 64, 2),  # CelebA/Helen: 128 -> 16 -> 64, SR x2
    (256, 64, None, 4),  # "-M": 256 -> 64, SR x4
])
def test_output_shapes_paper_settings(hr, lr, up, sr_scale):
    """Paper spatial sizes (tiny channels): heatmaps 64x64, face = HR."""
    cfg = tiny_model_cfg(hr, lr, up, num_stacks=2, hourglass_depth=4)
    model = build(cfg)
    assert model.backbone.sr_scale == sr_scale
    feats = model.extract_feat(torch.rand(2, 3, hr, hr))
    assert isinstance(feats, DHLNFeatures)
    assert feats.lr.shape == (2, 3, 64, 64)
    assert len(feats.heatmaps) == 2
    assert all(h.shape == (2, 68, 64, 64) for h in feats.heatmaps)
    assert feats.sr.shape == (2, 3, hr, hr)
    assert model._forward(torch.rand(1, 3, hr, hr)).shape == (1, 68, 64, 64)


def test_config_errors_are_explained():
    with pytest.raises(ValueError, match='sr_scale'):
        build(tiny_model_cfg(64, 8, 32, sr_scale=4)).extract_feat(
            torch.rand(1, 3, 64, 64))
    with pytest.raises(ValueError, match=r'std=\[255, 255, 255\]'):
        build(tiny_model_cfg()).extract_feat(torch.rand(1, 3, 64, 64) * 255)
    bad = tiny_model_cfg()
    bad['head']['num_keypoints'] = 5
    with pytest.raises(ValueError, match='num_keypoints'):
        build(bad)
    with pytest.raises(ValueError, match='at least one stream'):
        build(
            tiny_model_cfg(
                with_sr_stream=False, with_landmark_stream=False))


# ---------------------------------------------------------------- switches
def param_prefixes(model):
    return {n.split('.')[1] for n, _ in model.backbone.named_parameters(
        prefix='backbone')}


def test_shn_and_fhs_switches(dataset_meta):
    full = build(tiny_model_cfg())
    shn = build(tiny_model_cfg(with_sr_stream=False))
    fhs = build(tiny_model_cfg(with_landmark_stream=False))
    sr_parts = {'sr_head', 'sr_modules', 'sr_tail'}
    fusion = {'fu_block1', 'fu_block2'}
    landmark = {
        'stem', 'hourglasses', 'stack_necks', 'heatmap_convs', 'feat_remaps',
        'heatmap_remaps'
    }
    assert param_prefixes(full) == sr_parts | fusion | landmark
    assert param_prefixes(shn) == landmark
    assert param_prefixes(fhs) == sr_parts

    def count(m, parts=None):
        return sum(p.numel() for n, p in m.backbone.named_parameters()
                   if parts is None or n.split('.')[0] in parts)

    # the switches remove exactly those modules, nothing else changes
    assert count(shn) == count(full, landmark)
    assert count(fhs) == count(full, sr_parts)

    inputs, samples, _ = make_face_batch(full, codec_of(tiny_model_cfg()),
                                         dataset_meta, 2)
    hm, sr = shn.extract_feat(inputs)[:2]
    assert sr is None and len(hm) == 2
    assert set(shn.loss(inputs, samples)) == {'loss_kpt', 'acc_pose'}
    hm, sr = fhs.extract_feat(inputs)[:2]
    assert hm is None and sr.shape == inputs.shape
    assert set(fhs.loss(inputs, samples)) == {'loss_sr', 'loss_grad'}
    assert set(full.loss(inputs, samples)) == {
        'loss_kpt', 'acc_pose', 'loss_sr', 'loss_grad'
    }
    # FHS predicts a face and no landmarks; SHN landmarks and no face
    fhs.eval()
    shn.eval()
    with torch.no_grad():
        out_fhs = fhs.predict(inputs, [s.clone() for s in samples])
        out_shn = shn.predict(inputs, [s.clone() for s in samples])
    assert out_fhs[0].pred_face.img.shape == (3, 64, 64)
    assert np.all(out_fhs[0].pred_instances.keypoint_scores == 0)
    assert 'pred_face' not in out_shn[0]
    assert out_shn[0].pred_instances.keypoints.shape == (1, 68, 2)


# --------------------------------------------------------------- gradients
def grad_norm(model, prefixes):
    total = 0.0
    for name, p in model.backbone.named_parameters():
        if name.split('.')[0] in prefixes and p.grad is not None:
            total += p.grad.abs().sum().item()
    return total


SMALL = dict(hr_size=32, lr_size=4, lr_upsample_to=16)  # 32 -> 4 -> 16


def test_gradients_reach_both_streams(dataset_meta):
    cfg = tiny_model_cfg(**SMALL)
    model = build(cfg)
    model.train()
    inputs, samples, _ = make_face_batch(model, codec_of(cfg), dataset_meta,
                                         2)
    landmark = ('stem', 'hourglasses', 'stack_necks')
    sr_stream = ('sr_head', 'sr_modules')
    # heatmap loss alone reaches the SR stream through FUBlock2 (Eq. 2)
    model.zero_grad()
    model.loss(inputs, samples)['loss_kpt'].backward()
    assert grad_norm(model, landmark) > 0
    assert grad_norm(model, sr_stream) > 0
    assert grad_norm(model, ('fu_block1', 'fu_block2')) > 0
    # image losses alone reach the landmark stream through FUBlock1 (Eq. 1)
    model.zero_grad()
    losses = model.loss(inputs, samples)
    (losses['loss_sr'] + losses['loss_grad']).backward()
    assert grad_norm(model, sr_stream + ('sr_tail', )) > 0
    assert grad_norm(model, landmark) > 0
    # ... but not the last stack's heatmap conv, which the face never sees
    assert model.backbone.heatmap_convs[-1].weight.grad is None


# ---------------------------------------------------------------- Eq. 4
def test_head_loss_eq4_with_unlabeled_samples():
    """Eq. 4 / Eq. 10 against a NumPy computation; unlabeled samples have
    no heatmap term, whatever their targets."""
    head = MODELS.build(
        dict(
            type='DHLNHead',
            num_keypoints=3,
            gamma_heatmap=1.0,
            gamma_sr=0.01,
            gamma_grad=0.02))
    rng = np.random.default_rng(0)
    stacks = [rng.random((2, 3, 4, 4)) for _ in range(2)]
    gt = rng.random((2, 3, 4, 4))
    weights = np.array([[1.0, 0.0, 1.0], [1.0, 1.0, 1.0]])
    sr, hr = rng.random((2, 3, 8, 8)), rng.random((2, 3, 8, 8))
    labeled = [True, False]

    def samples(gt_heatmaps):
        out = []
        for i in range(2):
            s = PoseDataSample(metainfo=dict(labeled=labeled[i]))
            s.gt_fields = PixelData(heatmaps=torch.from_numpy(gt_heatmaps[i]))
            s.gt_instance_labels = InstanceData(
                keypoint_weights=torch.from_numpy(weights[i:i + 1]))
            out.append(s)
        return out

    feats = DHLNFeatures(
        heatmaps=tuple(torch.from_numpy(h) for h in stacks),
        sr=torch.from_numpy(sr),
        hr=torch.from_numpy(hr),
        lr=torch.zeros(2, 3, 4, 4, dtype=torch.float64))
    losses = head.loss(feats, samples(gt))

    # the loss convention: each image's norm (summed over its elements),
    # averaged over the batch; the stacks' heatmap terms summed
    mask = (weights * np.array([[1.0], [0.0]]))[..., None, None]

    def per_image(values):
        return np.mean([v.sum() for v in values])

    expected_kpt = sum(per_image((h - gt)**2 * mask) for h in stacks)
    assert losses['loss_kpt'].item() == pytest.approx(expected_kpt)
    expected_sr = 0.01 * per_image(np.abs(sr - hr))
    assert losses['loss_sr'].item() == pytest.approx(expected_sr)
    g_sr = gradient_map(torch.from_numpy(sr)).numpy()
    g_hr = gradient_map(torch.from_numpy(hr)).numpy()
    assert losses['loss_grad'].item() == pytest.approx(
        0.02 * per_image(np.abs(g_sr - g_hr)))
    # the unlabeled sample's targets do not matter (gamma1 = 0 for it)
    gt2 = gt.copy()
    gt2[1] = rng.random((3, 4, 4))
    assert head.loss(feats, samples(gt2))['loss_kpt'].item() == \
        pytest.approx(expected_kpt)
    # an unlabeled sample may come without heatmap targets at all
    bare = samples(gt)
    del bare[1].gt_fields
    assert head.loss(feats, bare)['loss_kpt'].item() == \
        pytest.approx(expected_kpt)
    # a labeled one may not
    bare = samples(gt)
    del bare[0].gt_fields
    with pytest.raises(ValueError, match='GenerateTarget'):
        head.loss(feats, bare)


# ------------------------------------------------------------- prediction
def test_predict_matches_mmpose_heatmap_head_with_flip(dataset_meta):
    """Decoding and flip test agree with mmpose's own HeatmapHead."""
    codec = dict(
        type='MSRAHeatmap', input_size=(64, 64), heatmap_size=(32, 32),
        sigma=1)
    ours = MODELS.build(dict(type='DHLNHead', decoder=codec))
    ref = MODELS.build(
        dict(
            type='HeatmapHead',
            in_channels=68,
            out_channels=68,
            deconv_out_channels=None,
            final_layer=None,
            decoder=codec))
    torch.manual_seed(0)
    hm, hm_flip = torch.rand(2, 68, 32, 32), torch.rand(2, 68, 32, 32)
    samples = [PoseDataSample(metainfo=dataset_meta) for _ in range(2)]
    test_cfg = dict(flip_test=True, shift_heatmap=True, output_heatmaps=True)

    def feats(h):
        return DHLNFeatures((h, ), None, torch.zeros(2, 3, 64, 64), h)

    got, fields = ours.predict([feats(hm), feats(hm_flip)], samples,
                               test_cfg)
    want, want_fields = ref.predict([(hm, ), (hm_flip, )], samples, test_cfg)
    for a, b in zip(got, want):
        np.testing.assert_allclose(a.keypoints, b.keypoints)
        np.testing.assert_allclose(a.keypoint_scores, b.keypoint_scores)
    assert torch.allclose(fields[0].heatmaps, want_fields[0].heatmaps)


def test_estimator_predict_image_coordinates_and_face(dataset_meta):
    cfg = tiny_model_cfg()
    cfg['test_cfg'] = dict(flip_test=True, shift_heatmap=True)
    model = build(cfg).eval()
    inputs, samples, _ = make_face_batch(model, codec_of(cfg), dataset_meta,
                                         2, train=False)
    with torch.no_grad():
        feats = model.extract_feat(inputs)
        results = model.predict(inputs, samples)
    # independent path: decode by hand and map crop -> image coordinates
    heat = feats.heatmaps[-1][0].numpy()
    flat = heat.reshape(68, -1).argmax(1)
    for i, res in enumerate(results):
        kpts = res.pred_instances.keypoints
        assert kpts.shape == (1, 68, 2)
        centre, scale = res.metainfo['input_center'], \
            res.metainfo['input_scale']
        crop = (kpts[0] - centre + 0.5 * scale) / scale * 64
        # inside the crop, or mmpose's (-1, -1) heatmap sentinel (x2 here)
        # for heatmaps with no positive maximum
        sentinel = np.all(np.isclose(crop, -2.0, atol=1e-3), axis=1)
        inside = np.all((crop >= 0) & (crop <= 64), axis=1)
        assert np.all(sentinel | inside)
        face = res.pred_face.img
        assert face.shape == (3, 64, 64)
        assert face.min() >= 0 and face.max() <= 1
        assert torch.allclose(face, feats.sr[i].clamp(0, 1))
    # without flip test the keypoints are the (refined) heatmap maxima
    model.test_cfg['flip_test'] = False
    with torch.no_grad():
        res = model.predict(inputs, [s.clone() for s in samples])[0]
    centre, scale = res.metainfo['input_center'], res.metainfo['input_scale']
    crop = (res.pred_instances.keypoints[0] - centre + 0.5 * scale) / scale
    argmax_xy = np.stack([flat % 32, flat // 32], 1) / 32.0
    positive = heat.reshape(68, -1).max(1) > 0
    assert positive.sum() > 10
    # MSRA refinement moves a maximum by at most 0.25 heatmap pixel
    assert np.abs(crop - argmax_xy)[positive].max() <= 0.25 / 32 + 1e-6


def test_landmarks_only_inference_skips_the_sr_tail(dataset_meta):
    """output_face=False: same keypoints and heatmaps, no face, the SR tail
    never runs; with flip test the flipped pass never runs it either."""
    cfg = tiny_model_cfg()
    cfg['test_cfg'] = dict(flip_test=True, shift_heatmap=True,
                           output_heatmaps=True)
    model = build(cfg).eval()
    inputs, samples, _ = make_face_batch(model, codec_of(cfg), dataset_meta,
                                         2, train=False)
    tail_calls = []
    model.backbone.sr_tail.register_forward_hook(
        lambda *args: tail_calls.append(1))
    with torch.no_grad():
        full = model.predict(inputs, [s.clone() for s in samples])
        assert len(tail_calls) == 1  # the unflipped pass only
        model.test_cfg['output_face'] = False
        lean = model.predict(inputs, [s.clone() for s in samples])
        assert len(tail_calls) == 1
        heatmaps, sr = model.backbone(model.make_lr(inputs), with_face=False)
    assert sr is None
    reference = model.extract_feat(inputs).heatmaps
    for got, want in zip(heatmaps, reference):
        torch.testing.assert_close(got, want)
    for a, b in zip(full, lean):
        np.testing.assert_array_equal(a.pred_instances.keypoints,
                                      b.pred_instances.keypoints)
        torch.testing.assert_close(a.pred_fields.heatmaps,
                                   b.pred_fields.heatmaps)
        assert 'pred_face' in a and 'pred_face' not in b


# ---------------------------------------------------------------- training
def test_short_training_lowers_loss(dataset_meta):
    cfg = tiny_model_cfg(**SMALL)
    model = build(cfg)
    model.train()
    inputs, samples, _ = make_face_batch(model, codec_of(cfg), dataset_meta,
                                         4, seed=3)
    optim = torch.optim.Adam(model.parameters(), lr=2e-3)

    def total():
        losses = model.loss(inputs, samples)
        return sum(v for k, v in losses.items() if k.startswith('loss')), \
            losses

    first, first_parts = total()
    for _ in range(20):
        optim.zero_grad()
        loss, parts = total()
        loss.backward()
        optim.step()
    last, parts = total()
    assert last.item() < 0.7 * first.item(), (first.item(), last.item())
    # every Eq. 4 term goes down, not just the dominant heatmap term
    for key in ('loss_kpt', 'loss_sr', 'loss_grad'):
        assert parts[key].item() < first_parts[key].item(), key
