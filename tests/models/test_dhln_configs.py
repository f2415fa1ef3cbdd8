"""The paper-row DHLN configs load, build without downloads, and agree with
their dataset bases (HR size, codec, degradation chain)."""
import os.path as osp

import pytest
from mmengine.config import Config
from mmengine.registry import init_default_scope
from helpers import REPO_ROOT as REPO


ROWS = {
    # name: (HR size, landmark stream, SR stream, metric types)
    '300w/SHN_300W.py': (256, True, False, {'FaceLandmarkMetric'}),
    '300w/DHLN-M_300W.py':
    (256, True, True, {'FaceLandmarkMetric', 'HallucinationMetric'}),
    'celeba/FHS_CelebA.py': (128, False, True, {'HallucinationMetric'}),
    'celeba/DHLN_CelebA.py':
    (128, True, True, {'FaceLandmarkMetric', 'HallucinationMetric'}),
}


def metric_types(evaluator):
    items = evaluator if isinstance(evaluator, (list, tuple)) else [evaluator]
    return {m['type'] for m in items}


@pytest.mark.parametrize('row', sorted(ROWS))
def test_row_config_builds(row):
    from mmpose.registry import METRICS, MODELS
    hr, landmark, sr, metrics = ROWS[row]
    cfg = Config.fromfile(osp.join(REPO, 'configs', 'sht', row))
    assert cfg.default_scope == 'mmpose'
    assert 'sht' in cfg.custom_imports['imports']
    init_default_scope('mmpose')

    # the model's codec is the dataset's: same HR crop and heatmap grid
    assert cfg.model.head.decoder == cfg.dataset_codec
    assert tuple(cfg.codec['input_size']) == (hr, hr)
    assert tuple(cfg.codec['heatmap_size']) == (64, 64)
    # degradation chain: DHLN input 64x64, hallucinated face = HR crop
    dhln_in = cfg.model.lr_upsample_to or cfg.model.lr_size
    assert dhln_in == 64
    assert dhln_in * cfg.model.backbone.sr_scale == hr
    assert cfg.model.data_preprocessor.std == [255., 255., 255.]

    assert 'init_cfg' not in cfg.model.backbone
    model = MODELS.build(cfg.model)
    assert model.backbone.with_landmark_stream == landmark
    assert model.backbone.with_sr_stream == sr
    assert metric_types(cfg.val_evaluator) == metrics
    assert metric_types(cfg.test_evaluator) == metrics
    for m in (cfg.val_evaluator if isinstance(cfg.val_evaluator, list) else
              [cfg.val_evaluator]):
        METRICS.build(m)
