"""The registered metrics on hand-built data samples, checked against a
direct NumPy recomputation of the definitions in docs/evaluation.md."""
import contextlib
import logging

import numpy as np
import pytest
import torch
from mmengine.evaluator import Evaluator
from mmengine.logging import MMLogger
from mmengine.structures import InstanceData, PixelData
from mmpose.registry import METRICS
from mmpose.structures import PoseDataSample
from skimage.color import rgb2ycbcr
from skimage.metrics import peak_signal_noise_ratio, structural_similarity

import sht  # noqa: F401  (registers the metrics)

SUBSETS = [('common', 'full'), ('common', 'full'), ('challenging', 'full'),
           ('common', 'full'), ('challenging', 'full'), ('common', 'full')]


def make_landmark_samples(num_keypoints=68, seed=0, subsets=SUBSETS):
    """Ground truth, predictions and the metric's input dicts."""
    rng = np.random.default_rng(seed)
    n = len(subsets)
    gt = rng.uniform(40, 200, size=(n, num_keypoints, 2))
    scale = rng.uniform(0.3, 8, (n, 1, 1))
    pred = gt + rng.normal(0, 1, size=gt.shape) * scale
    visible = (rng.uniform(size=(n, num_keypoints)) > 0.1).astype(np.float32)
    boxes = np.concatenate([gt.min(1) - 5, gt.max(1) + 5], axis=1)
    samples = []
    for i in range(n):
        samples.append(
            dict(
                gt_instances=dict(
                    keypoints=gt[i:i + 1].astype(np.float32),
                    keypoints_visible=visible[i:i + 1],
                    bboxes=boxes[i:i + 1].astype(np.float32)),
                pred_instances=dict(
                    keypoints=pred[i:i + 1].astype(np.float32)),
                subsets=subsets[i],
                img_path=f'img_{i}.jpg'))
    return gt.astype(np.float32).astype(np.float64), pred.astype(
        np.float32).astype(np.float64), visible > 0, boxes.astype(
            np.float32).astype(np.float64), samples


def reference_nme(gt, pred, visible, boxes, mode):
    """Per-image NME written directly from the definitions (loops)."""
    out = []
    for g, p, v, b in zip(gt, pred, visible, boxes):
        err = np.mean([np.hypot(*(p[k] - g[k])) for k in np.flatnonzero(v)])
        if mode == 'io':
            d = np.hypot(*(g[36] - g[45]))
        elif mode == 'ip':
            d = np.hypot(*(g[36:42].mean(0) - g[42:48].mean(0)))
        elif mode == 'box':
            d = np.sqrt((b[2] - b[0]) * (b[3] - b[1]))
        elif mode == 'diag':
            d = np.hypot(b[2] - b[0], b[3] - b[1])
        else:
            d = g[v, 0].max() - g[v, 0].min()
        out.append(err / d)
    return np.array(out)


def test_face_landmark_metric_all_modes_and_subsets(tmp_path):
    gt, pred, visible, boxes, samples = make_landmark_samples()
    metric = METRICS.build(
        dict(
            type='FaceLandmarkMetric',
            norm_modes=('io', 'ip', 'box', 'diag', 'wid'),
            thresholds=(0.05, 0.1),
            ced_dir=str(tmp_path / 'ced')))
    metric.process({}, samples[:4])
    metric.process({}, samples[4:])
    results = metric.compute_metrics(metric.results)
    groups = {
        '': np.arange(6),
        '/common': np.array([0, 1, 3, 5]),
        '/challenging': np.array([2, 4]),
        '/full': np.arange(6)
    }
    assert len(results) == 5 * 4 * (1 + 2 * 2)
    for mode in ('io', 'ip', 'box', 'diag', 'wid'):
        nme = reference_nme(gt, pred, visible, boxes, mode)
        for suffix, idx in groups.items():
            e = nme[idx]
            assert results[f'NME_{mode}{suffix}'] == pytest.approx(
                100 * e.mean(), rel=1e-9)
            for t in (0.05, 0.1):
                exact = np.mean(np.clip(t - e, 0, None)) / t
                assert results[f'AUC_{mode}@{t:g}{suffix}'] == pytest.approx(
                    100 * exact, abs=100 * 1e-4 / t)
                assert results[f'FR_{mode}@{t:g}{suffix}'] == pytest.approx(
                    100 * np.mean(e > t))
        png = tmp_path / 'ced' / f'ced_{mode}.png'
        assert png.read_bytes()[:4] == b'\x89PNG'
    # the thresholds are chosen so that AUC and FR are not trivial
    assert 0 < results['FR_io@0.05'] < 100
    assert 0 < results['AUC_io@0.1'] < 100


def test_metric_through_mmengine_evaluator_with_prefix():
    gt, pred, visible, boxes, samples = make_landmark_samples(98, seed=1)
    data_samples = []
    for s in samples:
        ds = PoseDataSample(metainfo=dict(subsets=s['subsets']))
        ds.gt_instances = InstanceData(
            **{k: v for k, v in s['gt_instances'].items()})
        ds.pred_instances = InstanceData(
            keypoints=s['pred_instances']['keypoints'])
        data_samples.append(ds)
    evaluator = Evaluator(
        dict(type='FaceLandmarkMetric', norm_modes=('io', ), prefix='val'))
    evaluator.process(data_samples[:3], dict(inputs=[None] * 3))
    evaluator.process(data_samples[3:], dict(inputs=[None] * 3))
    results = evaluator.evaluate(len(data_samples))
    # 98-point default corners are 60 and 72
    norm = np.hypot(*(gt[:, 60] - gt[:, 72]).T)
    err = np.array([
        np.linalg.norm(p - g, axis=1)[v].mean()
        for p, g, v in zip(pred, gt, visible)
    ])
    assert results['val/NME_io'] == pytest.approx(100 * np.mean(err / norm))
    assert results['val/NME_io/challenging'] == pytest.approx(
        100 * np.mean(err[[2, 4]] / norm[[2, 4]]))


def test_io_needs_indices_for_other_layouts():
    *_, samples = make_landmark_samples(19)
    metric = METRICS.build(dict(type='FaceLandmarkMetric', norm_modes='io'))
    with pytest.raises(ValueError, match="'io'.*19 points.*left_eye"):
        metric.process({}, samples)
    metric = METRICS.build(
        dict(
            type='FaceLandmarkMetric',
            norm_modes=('io', 'ip'),
            left_eye=6,
            right_eye=11))
    metric.process({}, samples)
    results = metric.compute_metrics(metric.results)
    # with single indices 'io' and 'ip' use the same two points
    assert results['NME_io'] == pytest.approx(results['NME_ip'])
    with pytest.raises(ValueError, match='one outer-corner index'):
        metric = METRICS.build(
            dict(
                type='FaceLandmarkMetric',
                norm_modes='io',
                left_eye=[6, 7],
                right_eye=[10, 11]))
        metric.process({}, samples)
    with pytest.raises(ValueError, match='norm_modes'):
        METRICS.build(dict(type='FaceLandmarkMetric', norm_modes=('eyes', )))


def test_unlabeled_samples_are_skipped():
    gt, pred, visible, boxes, samples = make_landmark_samples()
    samples[1]['labeled'] = False
    samples[2]['gt_instances']['keypoints_visible'][:] = 0
    metric = METRICS.build(dict(type='FaceLandmarkMetric', norm_modes='wid'))
    metric.process({}, samples)
    results = metric.compute_metrics(metric.results)
    nme = reference_nme(gt, pred, visible, boxes, 'wid')
    assert results['NME_wid'] == pytest.approx(100 * nme[[0, 3, 4, 5]].mean())
    assert results['NME_wid/challenging'] == pytest.approx(100 * nme[4])


@contextlib.contextmanager
def logged_messages():
    """Collect what the current mmengine logger logs."""
    messages = []
    handler = logging.Handler()
    handler.emit = lambda record: messages.append(record.getMessage())
    logger = MMLogger.get_current_instance()
    logger.addHandler(handler)
    try:
        yield messages
    finally:
        logger.removeHandler(handler)


def y_of(img):
    return rgb2ycbcr(img)[..., 0]


def test_hallucination_metric_against_skimage():
    rng = np.random.default_rng(5)
    size = 32
    hr_rgb = rng.integers(0, 256, size=(3, size, size, 3), dtype=np.uint8)
    sr_float = np.clip(
        hr_rgb / 255.0 + rng.normal(0, 0.05, hr_rgb.shape), 0, 1)
    samples = [
        dict(
            pred_face=dict(img=torch.from_numpy(sr_float[i].transpose(
                2, 0, 1)).float()),
            subsets=('helen', ) if i < 2 else ()) for i in range(3)
    ]
    samples.append(dict(subsets=('helen', )))  # no hallucinated face
    inputs = [
        torch.from_numpy(np.ascontiguousarray(
            hr_rgb[i][..., ::-1].transpose(2, 0, 1)))  # BGR, (3, H, W)
        for i in range(3)
    ] + [torch.zeros(3, size, size, dtype=torch.uint8)]
    metric = METRICS.build(dict(type='HallucinationMetric', crop_border=2))
    metric.process(dict(inputs=inputs), samples)
    with logged_messages() as messages:
        results = metric.compute_metrics(metric.results)
    psnr, ssim = [], []
    for i in range(3):
        sr32 = sr_float[i].astype(np.float32).astype(np.float64)
        sr = np.round(sr32 * 255).astype(np.uint8)
        c = slice(2, size - 2)
        y_sr, y_hr = y_of(sr)[c, c], y_of(hr_rgb[i])[c, c]
        psnr.append(peak_signal_noise_ratio(y_hr, y_sr, data_range=255))
        ssim.append(
            structural_similarity(
                y_sr,
                y_hr,
                gaussian_weights=True,
                sigma=1.5,
                use_sample_covariance=False,
                data_range=255))
    assert results['PSNR'] == pytest.approx(np.mean(psnr), rel=1e-6)
    assert results['SSIM'] == pytest.approx(np.mean(ssim), rel=1e-6)
    assert results['PSNR/helen'] == pytest.approx(np.mean(psnr[:2]), rel=1e-6)
    assert results['SSIM/helen'] == pytest.approx(np.mean(ssim[:2]), rel=1e-6)
    assert any('skipped 1 of 4' in m for m in messages)


def test_hallucination_metric_with_pose_data_samples_and_size_check():
    hr = torch.randint(0, 256, (3, 16, 16), dtype=torch.uint8)
    ds = PoseDataSample(metainfo=dict(subsets=('a', )))
    ds.pred_face = PixelData(img=hr.flip(0).float() / 255)  # exact RGB copy
    evaluator = Evaluator(dict(type='HallucinationMetric'))
    evaluator.process([ds], dict(inputs=[hr]))
    results = evaluator.evaluate(1)
    assert results['PSNR'] == float('inf')
    assert results['SSIM/a'] == pytest.approx(1.0)
    ds.pred_face = PixelData(img=torch.zeros(3, 8, 8))
    with pytest.raises(ValueError, match='differ in size'):
        evaluator.process([ds], dict(inputs=[hr]))


def test_box_mode_uses_a_given_box_size():
    """AFLW's json gives `box_size`: NME_box divides by it where present and
    by sqrt(w * h) of the ground-truth box elsewhere; NME_diag ignores it."""
    gt, pred, visible, boxes, samples = make_landmark_samples(19)
    samples[0]['box_size'] = 50.0
    samples[3]['box_size'] = 80.0
    metric = METRICS.build(
        dict(type='FaceLandmarkMetric', norm_modes=('box', 'diag')))
    metric.process({}, samples)
    results = metric.compute_metrics(metric.results)
    err = np.array([
        np.linalg.norm(p - g, axis=1)[v].mean()
        for p, g, v in zip(pred, gt, visible)
    ])
    w, h = boxes[:, 2] - boxes[:, 0], boxes[:, 3] - boxes[:, 1]
    norm = np.sqrt(w * h)
    norm[[0, 3]] = [50.0, 80.0]
    assert results['NME_box'] == pytest.approx(100 * np.mean(err / norm))
    assert results['NME_diag'] == pytest.approx(
        100 * np.mean(err / np.hypot(w, h)))
    metric = METRICS.build(
        dict(type='FaceLandmarkMetric', norm_modes='box', box_size_key=None))
    metric.process({}, samples)
    assert metric.compute_metrics(metric.results)['NME_box'] == pytest.approx(
        100 * np.mean(err / np.sqrt(w * h)))
