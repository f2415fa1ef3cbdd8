"""Every config under configs/sht/: mmpose's init_model (no checkpoint)
gives the keypoint metainfo of the config's test set, the training sets
(what the runner stores in checkpoints) give the same, flip-test inference
runs, and the inferencer built from a checkpoint of that model returns K
landmarks for the face of a real photo (and so does mmpose's own
MMPoseInferencer, for every config).

Each config is built on the CPU with its model shrunk (one 16-channel
stack, a small SR stream): the metainfo, the pipeline and the sizes are the
config's own."""
import copy
import glob
import os.path as osp

import numpy as np
import pytest
import torch
from mmengine.config import Config

from helpers import REPO_ROOT as REPO
import sht  # noqa: F401

CONFIGS = sorted(
    osp.relpath(p, REPO)
    for p in glob.glob(osp.join(REPO, 'configs', 'sht', '*', '*.py')))
PHOTO = osp.join(REPO, 'tests', 'assets', 'astronaut_face.jpg')
SMALL = dict(num_stacks=1, stack_channels=16, sr_channels=8,
             num_sr_blocks=1, sr_hidden_channels=8)
DATASET_KEYS = ('dataset', 'labeled', 'unlabeled')


def lazy(cfg: dict) -> dict:
    """A dataset config (and the datasets it wraps) that reads no file."""
    cfg = copy.deepcopy(cfg)
    cfg['lazy_init'] = True
    cfg.pop('pipeline', None)
    for key in DATASET_KEYS:
        if isinstance(cfg.get(key), dict):
            cfg[key] = lazy(cfg[key])
    return cfg


def small_config(path: str) -> Config:
    cfg = Config.fromfile(osp.join(REPO, path))
    cfg.merge_from_dict(dict(model=dict(backbone=SMALL)))
    return cfg


def dataset_meta(ds_cfg) -> dict:
    from mmpose.registry import DATASETS
    return DATASETS.build(lazy(ds_cfg.to_dict())).metainfo


def test_every_config_is_listed():
    assert len(CONFIGS) >= 33 and 'configs/sht/demo/sht_synthetic.py' in \
        CONFIGS


@pytest.mark.parametrize('path', CONFIGS)
def test_config_metainfo_inference_and_inferencer(path, tmp_path):
    from mmpose.apis import inference_topdown, init_model

    from sht.apis import FaceInferencer

    cfg = small_config(path)
    expected = dataset_meta(cfg.test_dataloader.dataset)
    k = cfg.model.head.num_keypoints
    assert expected['num_keypoints'] == k

    # the training sets: their metainfo is what checkpoints store
    saved = dataset_meta(cfg.train_dataloader.dataset)
    for key in ('weak_dataloader', 'gan_dataloader'):
        if key in cfg:
            assert dataset_meta(cfg[key].dataset)['dataset_name'] == \
                expected['dataset_name']
    for meta in (saved, ):
        assert meta['dataset_name'] == expected['dataset_name']
        assert meta['flip_indices'] == expected['flip_indices']

    model = init_model(cfg, None, device='cpu')
    meta = model.dataset_meta
    assert meta['dataset_name'] == expected['dataset_name']
    assert meta['num_keypoints'] == k
    assert meta['flip_indices'] == expected['flip_indices']
    assert len(meta['keypoint_colors']) == k
    assert meta['skeleton_links'] == expected['skeleton_links']
    assert getattr(model, 'fptn', None) is None  # training-only

    # flip test on a tiny photo (the paper configs' setting; the demo
    # configs test without it, so it is switched on here for every model
    # with landmarks): it needs the flip indices of the metainfo
    if 'demo' not in path:
        assert model.test_cfg.get('flip_test', False) == \
            model.with_landmark_stream
    model.test_cfg['flip_test'] = model.with_landmark_stream
    sample = inference_topdown(model, PHOTO)[0]
    assert sample.pred_instances.keypoints.shape == (1, k, 2)
    model.test_cfg['flip_test'] = cfg.model.test_cfg.get('flip_test', False)

    ckpt = str(tmp_path / 'model.pth')
    torch.save(
        dict(state_dict=model.state_dict(), meta=dict(dataset_meta=saved)),
        ckpt)
    reloaded = init_model(cfg, ckpt, device='cpu')
    assert reloaded.dataset_meta['dataset_name'] == expected['dataset_name']

    inferencer = FaceInferencer(pose2d=cfg, pose2d_weights=ckpt,
                                device='cpu')
    assert getattr(inferencer.inferencer.model, 'fptn', None) is None
    result = next(inferencer(PHOTO, return_faces=True))
    faces = result['predictions'][0]
    assert len(faces) == 1  # the Haar cascade found the one face
    assert np.asarray(faces[0]['keypoints']).shape == (k, 2)
    x1, y1, x2, y2 = faces[0]['bbox'][0]
    assert x1 < 55 < x2 and y1 < 60 < y2  # around the astronaut's nose
    has_face = model.backbone.with_sr_stream and \
        model.test_cfg.get('output_face', True)
    assert len(result['faces'][0]) == int(has_face)

    # mmpose's own inferencer, whole image. It builds the config's model as
    # written, FPTN included for the SHT rows (shrunk here), but never needs
    # FPTN's VGG-19 file: the perceptual loss reads it only for training.
    from mmpose.apis import MMPoseInferencer
    if cfg.model.get('fptn'):
        cfg.merge_from_dict(dict(model=dict(fptn=dict(
            generator=dict(base_channels=4, num_blocks=1),
            discriminator=dict(base_channels=4),
            perceptual_loss=dict(vgg_weights=str(tmp_path / 'no_vgg.pth'))))))
    plain = MMPoseInferencer(pose2d=cfg, pose2d_weights=ckpt,
                             det_model='whole_image', device='cpu')
    meta = plain.inferencer.model.dataset_meta
    assert meta['dataset_name'] == expected['dataset_name']
    pred = next(plain(PHOTO))['predictions'][0][0]
    assert np.asarray(pred['keypoints']).shape == (k, 2)
