"""The CPU deployment path: int8 quantisation calibrated on generated faces,
runtime backbones behind the estimator's own pre/post-processing, and the
landmark error of each variant on a test set."""
import numpy as np
import pytest
import torch
from helpers import load_tool
from helpers.deploy_testing import (CONFIGS, TINY_CELEBA, TINY_M,
                                    random_checkpoint, with_synthetic_test_set,
                                    write_tiny_config)
from mmengine.config import Config

ort = pytest.importorskip('onnxruntime')
onnx = pytest.importorskip('onnx')

from sht.deployment.onnx_export import export, load_dhln  # noqa: E402
from sht.deployment.quantize import (calibration_inputs,  # noqa: E402
                                     quantize_int8, synthetic_hr_faces)
from sht.deployment.runtimes import (AutocastBackbone,  # noqa: E402
                                     onnx_estimator, with_backbone)
from sht.deployment.variants import (build_variants,  # noqa: E402
                                     evaluate_variants, export_and_quantize,
                                     landmark_error_report)

DEMO = str(CONFIGS / 'demo' / 'sht_synthetic.py')


@pytest.fixture(scope='module')
def tiny(tmp_path_factory):
    """A tiny "-M" DHLN (random weights) with a generated test set."""
    folder = tmp_path_factory.mktemp('tiny')
    config = with_synthetic_test_set(
        folder, write_tiny_config(folder, '300w/DHLN-M_300W.py', TINY_M), 64)
    ckpt = random_checkpoint(config, folder / 'tiny.pth')
    model = load_dhln(config, ckpt)
    cfg = Config.fromfile(config)
    files = export_and_quantize(cfg, model, str(folder), calib_faces=6)
    return dict(folder=folder, config=config, ckpt=ckpt, model=model,
                cfg=cfg, files=files)


def test_calibration_faces_are_test_time_crops(tiny):
    faces = list(synthetic_hr_faces(tiny['cfg'], tiny['model'], 5,
                                    batch_size=2))
    assert [f.shape for f in faces] == [(2, 3, 64, 64)] * 2 + [(1, 3, 64,
                                                                 64)]
    hr = torch.cat(faces)
    assert 0 <= hr.min() and hr.max() <= 1 and hr.std() > 0.05
    again = torch.cat(list(synthetic_hr_faces(tiny['cfg'], tiny['model'],
                                              5)))
    torch.testing.assert_close(again, hr)  # seeded
    other = torch.cat(list(synthetic_hr_faces(tiny['cfg'], tiny['model'], 5,
                                              seed=7)))
    assert (other - hr).abs().mean() > 0.05
    lr = calibration_inputs(tiny['cfg'], tiny['model'], 3)
    assert [x.shape for x in lr] == [(1, 3, 16, 16)] * 3
    assert all(x.dtype == np.float32 for x in lr)


def test_graph_ops_that_int8_runs_in_8_bit(tiny):
    """PixelShuffle is exported as Reshape/Transpose (not DepthToSpace,
    which onnxruntime runs in float), the hourglass merge as Resize + Add
    (not a broadcasting 6-D Add)."""
    graph = onnx.load(tiny['files']['ort-fp32']).graph
    ops = [n.op_type for n in graph.node]
    assert 'DepthToSpace' not in ops
    # one nearest Resize per hourglass level, one bicubic (the SR base)
    resize_modes = sorted(
        a.s.decode() for n in graph.node if n.op_type == 'Resize'
        for a in n.attribute if a.name == 'mode')
    assert resize_modes == ['cubic'] + ['nearest'] * 4  # 2 stacks x depth 2


def test_int8_graph_is_static_qdq_per_channel(tiny):
    graph = onnx.load(tiny['files']['ort-int8']).graph
    ops = {n.op_type for n in graph.node}
    assert {'QuantizeLinear', 'DequantizeLinear', 'Conv'} <= ops
    inits = {i.name: i for i in graph.initializer}
    # every conv weight enters through a DequantizeLinear of int8 values
    # with one scale per output channel, but for the two convs that make
    # the outputs (kept in float for the decoding)
    producers = {o: n for n in graph.node for o in n.output}
    convs = [n for n in graph.node if n.op_type == 'Conv']
    float_convs = [c for c in convs if c.input[1] in inits]
    assert len(float_convs) == 2
    assert producers['heatmaps'] in float_convs
    assert len(convs) > 10
    for conv in convs:
        if conv in float_convs:
            assert inits[conv.input[1]].data_type == onnx.TensorProto.FLOAT
            continue
        dq = producers[conv.input[1]]
        assert dq.op_type == 'DequantizeLinear'
        weight = inits[dq.input[0]]
        scale = inits[dq.input[1]]
        assert weight.data_type == onnx.TensorProto.INT8
        assert list(scale.dims) == [weight.dims[0]]
    # activations: static (constant) uint8 scales and zero points
    qs = [n for n in graph.node if n.op_type == 'QuantizeLinear']
    assert all(n.input[1] in inits and n.input[2] in inits for n in qs)
    assert inits[qs[0].input[2]].data_type == onnx.TensorProto.UINT8


def _predict(model, batch):
    """Keypoints (N, K, 2) in image coordinates and the samples."""
    samples = [s.clone() for s in batch['data_samples']]
    with torch.no_grad():
        preds = model.test_step(dict(batch, data_samples=samples))
    return np.stack([p.pred_instances.keypoints[0] for p in preds]), preds


@pytest.fixture(scope='module')
def batch(tiny):
    from mmengine.runner import Runner
    return next(iter(Runner.build_dataloader(tiny['cfg'].test_dataloader)))


def test_runtimes_keep_the_estimator_pipeline(tiny, batch):
    model = tiny['model']
    ref, ref_preds = _predict(model, batch)
    fp32, preds = _predict(onnx_estimator(model, tiny['files']['ort-fp32']),
                           batch)
    np.testing.assert_allclose(fp32, ref, atol=1e-3)
    torch.testing.assert_close(preds[0].pred_face.img,
                               ref_preds[0].pred_face.img, atol=1e-4,
                               rtol=1e-4)
    int8, _ = _predict(onnx_estimator(model, tiny['files']['ort-int8']),
                       batch)
    assert int8.shape == ref.shape and np.isfinite(int8).all()
    hr = torch.cat(list(synthetic_hr_faces(tiny['cfg'], model, 3, seed=5)))
    bf16_model = with_backbone(model, AutocastBackbone(model.backbone))
    with torch.no_grad():
        feats = bf16_model.extract_feat(hr)
        ref_feats = model.extract_feat(hr)
    assert feats.heatmaps[-1].dtype == torch.float32
    # bf16 keeps ~3 significant digits
    err = (feats.heatmaps[-1] - ref_feats.heatmaps[-1]).abs().max()
    assert 0 < err < 0.05 * ref_feats.heatmaps[-1].abs().max() + 1e-3
    # the original estimator keeps its own backbone
    assert type(model.backbone).__name__ == 'DHLN'


def test_upsampling_in_the_graph(tmp_path):
    """CelebA setting: the graph up-samples the LR face itself, the
    estimator copy hands it the face as degraded."""
    config = write_tiny_config(tmp_path, 'celeba/DHLN_CelebA.py',
                               TINY_CELEBA)
    model = load_dhln(config, random_checkpoint(config, tmp_path / 'c.pth'))
    path = export(model, str(tmp_path / 'c.onnx'), 32)
    deployed = onnx_estimator(model, path)
    assert deployed.lr_upsample_to is None and model.lr_upsample_to == 16
    hr = torch.rand(2, 3, 32, 32)
    with torch.no_grad():
        a, b = model.extract_feat(hr), deployed.extract_feat(hr)
    torch.testing.assert_close(b.heatmaps[-1], a.heatmaps[-1], atol=1e-4,
                               rtol=1e-4)


def test_variants_on_a_test_set(tiny):
    variants = build_variants(tiny['model'], tiny['files'])
    assert list(variants) == ['fp32', 'torch-fp32', 'torch-bf16',
                              'ort-fp32', 'ort-int8']
    res = evaluate_variants(variants, tiny['cfg'])
    assert {m['num_faces'] for m in res.values()} == {6}
    for name, m in res.items():
        assert m['NME_io'] > 0 and 'PSNR' in m, name
    assert res['fp32']['NME_io_rel_change'] == 0
    # the same network in float on another runtime: the same landmarks
    assert abs(res['ort-fp32']['NME_io_rel_change']) < 1e-4
    assert abs(res['torch-fp32']['NME_io_rel_change']) < 1e-4
    with pytest.raises(ValueError, match='needs its ONNX graph'):
        build_variants(tiny['model'], None, ['ort-int8'])
    with pytest.raises(ValueError, match='unknown variants'):
        build_variants(tiny['model'], None, ['fp16'])


def test_landmark_error_report_on_the_demo_config(tmp_path):
    """The demo's own config, randomly initialised, on generated faces."""
    config = with_synthetic_test_set(tmp_path, DEMO, 64, num_per_subset=1)
    report = landmark_error_report(config, None, str(tmp_path / 'onnx'),
                                   ['fp32', 'ort-int8'], calib_faces=3,
                                   max_faces=2)
    assert set(report['metrics']) == {'fp32', 'ort-int8'}
    assert report['metrics']['ort-int8']['num_faces'] == 2
    assert np.isfinite(report['metrics']['ort-int8']['NME_io_rel_change'])


def test_quantize_tool(tiny, tmp_path, capsys):
    tool = load_tool('tools/deployment/quantize_onnx.py')
    out = tmp_path / 'graphs'
    res = tool.main([tiny['config'], tiny['ckpt'], str(out),
                     '--calib-faces', '2'])
    assert set(res['onnx']) == {'ort-fp32', 'ort-int8'}
    assert (out / 'int8.onnx').is_file() and (out / 'quantize.json').is_file()
    res = tool.main([tiny['config'], tiny['ckpt'], str(out), '--eval',
                     '--calib-faces', '2', '--variants', 'fp32', 'ort-int8',
                     '--max-faces', '2'])
    assert set(res['metrics']) == {'fp32', 'ort-int8'}
    assert 'vs fp32) on 2 faces' in capsys.readouterr().out


def test_quantize_needs_calibration(tmp_path):
    with pytest.raises(ValueError, match='calibration'):
        quantize_int8('x.onnx', str(tmp_path / 'y.onnx'), [])


def test_flip_test_through_onnxruntime(tiny, tmp_path):
    """With flip test the flipped pass asks the graph for heatmaps only;
    the landmarks still match PyTorch's."""
    config = with_synthetic_test_set(tmp_path, tiny['config'], 64,
                                     num_per_subset=1, flip_test=True)
    cfg = Config.fromfile(config)
    model = load_dhln(config, tiny['ckpt'])
    assert model.test_cfg['flip_test']
    variants = build_variants(model, tiny['files'], ['fp32', 'ort-fp32'])
    res = evaluate_variants(variants, cfg)
    assert res['fp32']['num_faces'] == 3
    assert abs(res['ort-fp32']['NME_io_rel_change']) < 1e-4
