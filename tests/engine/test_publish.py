"""tools/misc/publish_model.py: the published checkpoint holds DHLN only,
is named by its sha256, loads with ``init_model`` and predicts the same
landmarks as the full training checkpoint."""
import copy
import hashlib
import os.path as osp
import re
import subprocess
import sys

import numpy as np
import pytest
import torch
from helpers.engine_testing import MAX_ITERS, REPO_ROOT, TINY_CONFIG, publish_tool
from mmengine.config import Config
from mmpose.apis import inference_topdown, init_model
from sht.engine.checkpoint_keys import OPTIONAL_PREFIXES as FPTN_KEYS

PUBLISH_TOOL = osp.join(REPO_ROOT, 'tools', 'misc', 'publish_model.py')


def test_strip_checkpoint_on_a_hand_made_checkpoint():
    tool = publish_tool()
    ckpt = dict(
        meta=dict(iter=3),
        state_dict={
            'backbone.w': torch.ones(2),
            'head.b': torch.zeros(1),
            'fptn.generator.w': torch.ones(3),
            'fptn.discriminator_a.w': torch.ones(3),
            'fptnx.w': torch.ones(1),  # not under the "fptn." prefix
        },
        optimizer=dict(generator={}, discriminator={}),
        message_hub={},
        param_schedulers=[])
    published, removed_keys, removed_weights = tool.strip_checkpoint(ckpt)
    assert sorted(published) == ['meta', 'state_dict']
    assert sorted(published['state_dict']) == [
        'backbone.w', 'fptnx.w', 'head.b'
    ]
    assert sorted(removed_keys) == [
        'message_hub', 'optimizer', 'param_schedulers'
    ]
    assert sorted(removed_weights) == [
        'fptn.discriminator_a.w', 'fptn.generator.w'
    ]
    with pytest.raises(ValueError, match='bad.pth.*state_dict'):
        tool.strip_checkpoint(dict(model={}), source='bad.pth')


def test_publish_cli_rejects_a_missing_file(tmp_path):
    proc = subprocess.run(
        [sys.executable, PUBLISH_TOOL, str(tmp_path / 'nope.pth'),
         str(tmp_path / 'out.pth')],
        stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
    assert proc.returncode != 0
    assert b'nope.pth: no such checkpoint file' in proc.stdout


def test_published_checkpoint_predicts_like_the_full_one(
        resume_runs, tiny_data, tmp_path, monkeypatch):
    full = osp.join(resume_runs['reference'], f'iter_{MAX_ITERS}.pth')
    published = publish_tool().publish_checkpoint(
        full, str(tmp_path / 'sht_tiny.pth'))
    match = re.fullmatch(r'sht_tiny-([0-9a-f]{8})\.pth',
                         osp.basename(published))
    assert match, published
    with open(published, 'rb') as f:
        assert hashlib.sha256(f.read()).hexdigest()[:8] == match.group(1)

    full_ckpt = torch.load(full, map_location='cpu', weights_only=False)
    pub_ckpt = torch.load(published, map_location='cpu', weights_only=False)
    assert sorted(pub_ckpt) == ['meta', 'state_dict']
    assert not [k for k in pub_ckpt['state_dict'] if k.startswith(FPTN_KEYS)]
    dhln_keys = [k for k in full_ckpt['state_dict']
                 if not k.startswith(FPTN_KEYS)]
    assert any(k.startswith(FPTN_KEYS) for k in full_ckpt['state_dict'])
    assert sorted(pub_ckpt['state_dict']) == sorted(dhln_keys)

    monkeypatch.setenv('SHT_TINY_DATA', tiny_data)
    cfg = Config.fromfile(TINY_CONFIG)
    # what inference_topdown needs: a test pipeline
    cfg.test_dataloader = dict(dataset=dict(pipeline=[
        dict(type='LoadFaceImage'),
        dict(type='GetBBoxCenterScale'),
        dict(type='TopdownAffine', input_size=(32, 32)),
        dict(type='PackFaceInputs')
    ]))
    models = [init_model(copy.deepcopy(cfg), ckpt, device='cpu')
              for ckpt in (full, published)]
    for model in models:  # inference builds DHLN alone
        assert not model.with_fptn
        assert not [k for k in model.state_dict() if k.startswith(FPTN_KEYS)]
    image = osp.join(tiny_data, '300w', 'afw', '1004000000_1.jpg')
    boxes = np.array([[4.0, 4.0, 60.0, 60.0]])
    preds = [inference_topdown(model, image, boxes)[0] for model in models]
    kpts = [p.pred_instances.keypoints for p in preds]
    assert kpts[0].shape == (1, 68, 2)
    np.testing.assert_array_equal(kpts[0], kpts[1])
    np.testing.assert_array_equal(preds[0].pred_instances.keypoint_scores,
                                  preds[1].pred_instances.keypoint_scores)
