"""ONNX export of DHLN (tools/deployment/export_onnx.py) and its parity
with PyTorch."""

import numpy as np
import pytest
import torch
from helpers import load_tool
from helpers.deploy_testing import (TINY_CELEBA, TINY_M, random_checkpoint,
                                    write_tiny_config)

ort = pytest.importorskip(
    'onnxruntime',
    reason='onnxruntime is not installed (pip install onnx onnxruntime)')
pytest.importorskip('onnx', reason='onnx is not installed')


tool = load_tool('tools/deployment/export_onnx.py')


@pytest.mark.parametrize('base,setting,lr_side,hr_side', [
    ('300w/DHLN-M_300W.py', TINY_M, 16, 64),
    ('celeba/DHLN_CelebA.py', TINY_CELEBA, 4, 32),
])
def test_export_matches_pytorch(tmp_path, capsys, base, setting, lr_side,
                                hr_side):
    config = write_tiny_config(tmp_path, base, setting)
    ckpt = random_checkpoint(config, tmp_path / 'tiny.pth')
    out = str(tmp_path / 'dhln.onnx')
    result = tool.main([config, ckpt, out, '--verify', '--num-faces', '4'])
    assert result['ok']
    assert result['max_landmark_diff_px'] < 1e-3
    assert result['max_heatmap_diff'] < 1e-4
    assert result['max_sr_diff'] < 1e-4
    assert 'OK' in capsys.readouterr().out

    # the graph: LR face in, last heatmaps and clamped SR face out, any batch
    session = ort.InferenceSession(out, providers=['CPUExecutionProvider'])
    (inp, ) = session.get_inputs()
    assert inp.name == 'lr_face' and inp.shape[1:] == [3, lr_side, lr_side]
    assert [o.name for o in session.get_outputs()] == ['heatmaps', 'sr_face']
    lr = np.random.default_rng(0).random((3, 3, lr_side, lr_side),
                                        dtype=np.float32)
    heatmaps, face = session.run(None, {'lr_face': lr})
    assert heatmaps.shape == (3, 68, 16, 16)
    assert face.shape == (3, 3, hr_side, hr_side)
    assert face.min() >= 0 and face.max() <= 1

    # the same numbers as the PyTorch backbone on that input
    model = tool.load_dhln(config, ckpt)
    with torch.no_grad():
        x = torch.from_numpy(lr)
        if model.lr_upsample_to:
            x = torch.nn.functional.interpolate(
                x, size=(16, 16), mode='bicubic',
                align_corners=False).clamp(0, 1)
        ref_hm, ref_sr = model.backbone(x)
    np.testing.assert_allclose(heatmaps, ref_hm[-1].numpy(), atol=1e-4)
    np.testing.assert_allclose(face, ref_sr.clamp(0, 1).numpy(), atol=1e-4)


def test_verify_detects_a_different_model(tmp_path):
    config = write_tiny_config(tmp_path, '300w/DHLN-M_300W.py', TINY_M)
    out = str(tmp_path / 'a.onnx')
    model = tool.load_dhln(config, random_checkpoint(config, tmp_path / 'a.pth'))
    tool.export(model, out, 64)
    other = tool.load_dhln(config,
                           random_checkpoint(config, tmp_path / 'b.pth', seed=1))
    diffs = tool.verify(other, out, 64, num_faces=2)
    assert diffs['max_sr_diff'] > 1e-3
    assert diffs['max_heatmap_diff'] > 1e-4


def test_shape_option_scales_the_lr_input(tmp_path):
    config = write_tiny_config(tmp_path, '300w/DHLN-M_300W.py', TINY_M)
    out = str(tmp_path / 'big.onnx')
    result = tool.main([config, 'none', out, '--shape', '128', '--verify',
                        '--num-faces', '2'])
    assert (result['hr_size'], result['lr_size']) == (128, 32)
    assert result['ok']
    with pytest.raises(ValueError, match='square'):
        tool.main([config, 'none', out, '--shape', '128', '96'])


def test_rejects_models_that_are_not_dhln(tmp_path):
    config = tmp_path / 'hrnet_like.py'
    config.write_text(
        "default_scope = 'mmpose'\n"
        "model = dict(type='TopdownPoseEstimator',\n"
        "    backbone=dict(type='ResNet', depth=18),\n"
        "    head=dict(type='HeatmapHead', in_channels=512,\n"
        "              out_channels=5, deconv_out_channels=None))\n")
    with pytest.raises(TypeError, match='DHLN models only'):
        tool.load_dhln(str(config), None)
    with pytest.raises(FileNotFoundError, match='missing.pth'):
        tool.load_dhln(
            write_tiny_config(tmp_path, '300w/DHLN-M_300W.py', TINY_M),
            str(tmp_path / 'missing.pth'))
