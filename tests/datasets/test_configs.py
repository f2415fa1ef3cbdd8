"""Dataset base configs load with mmengine, combine with the model bases, and
build their datasets (data_root pointed at fixtures) without downloads."""
import os
import os.path as osp
import shutil

import numpy as np
import pytest
from helpers.face_data import REPO_ROOT, aflw_json, load_tool, random_landmarks
from mmengine.config import Config
from mmpose.registry import DATASETS

from sht.datasets.coco_format import FaceCocoBuilder, write_coco_json

CFG_DIR = osp.join(REPO_ROOT, 'configs', '_base_', 'datasets')
TOOLS = osp.join(REPO_ROOT, 'tools', 'dataset_converters')
LABELED = {
    # config: (crop size, norm modes, thresholds, crop_border)
    '300w': (256, ('io', 'ip'), (0.08, 0.1), 4),
    'wflw': (256, ('io', ), (0.1, ), 4),
    'aflw': (256, ('diag', 'box'), (0.07, ), 4),
    '300vw': (256, ('io', 'ip'), (0.08, 0.1), 4),
    'celeba': (128, ('wid', ), (0.1, ), 8),
    'helen': (128, ('wid', ), (0.1, ), 8),
}


def load_cfg(name):
    return Config.fromfile(osp.join(CFG_DIR, f'{name}.py'))


@pytest.fixture(scope='module')
def data_roots(face300w_root, wflw_root, celeba_root, face300vw_root,
               ytf_root, tmp_path_factory):
    """Each config's data_root, laid out as its comments say."""
    base = tmp_path_factory.mktemp('config_roots')
    roots = {}
    root = str(base / '300w')
    shutil.copytree(face300w_root[0], root)
    load_tool(osp.join(TOOLS, '300w2coco.py')).main(
        [root, osp.join(root, 'annotations')])
    roots['300w'] = root
    helen = str(base / 'helen')
    shutil.copytree(root, helen)
    for split, src in (('train', 'train'), ('test', 'common')):
        shutil.copy(
            osp.join(helen, 'annotations', f'300w_{src}.json'),
            osp.join(helen, 'annotations', f'helen_{split}.json'))
    roots['helen'] = helen
    root = wflw_root[0]
    load_tool(osp.join(TOOLS, 'wflw2coco.py')).main([
        osp.join(root, 'WFLW_annotations'),
        osp.join(root, 'WFLW_images'),
        osp.join(root, 'annotations')
    ])
    roots['wflw'] = root
    root = str(base / 'aflw')
    faces = []
    for i in range(3):
        name = f'image{i:05d}.jpg'
        os.makedirs(osp.join(root, 'images'), exist_ok=True)
        shutil.copy(
            osp.join(face300w_root[0], 'afw', '1051618982_1.jpg'),
            osp.join(root, 'images', name))
        faces.append((name, random_landmarks(19, (20, 20, 80, 85), i), 60.))
    os.makedirs(osp.join(root, 'annotations'))
    for split, part in (('train', faces), ('test', faces),
                        ('test_frontal', faces[:1])):
        aflw_json(
            osp.join(root, 'annotations',
                     f'face_landmarks_aflw_{split}.json'), part)
    roots['aflw'] = root
    root = celeba_root[0]
    for split, names in (('train', ['000001.jpg', '000002.jpg']),
                         ('test', ['000004.jpg'])):
        builder = FaceCocoBuilder(68)
        for i, name in enumerate(names):
            kpts = random_landmarks(68, (15, 20, 50, 65), i)
            image_id = builder.add_image(f'img_align_celeba/{name}', 70, 80)
            builder.add_face(image_id, np.array([32.5, 42.5]), 45.0, kpts,
                             (split, ))
        write_coco_json(builder.to_dict(),
                        osp.join(root, 'annotations',
                                 f'celeba68_{split}.json'))
    roots['celeba'] = root
    root = str(base / '300vw')
    load_tool(osp.join(TOOLS, '300vw2coco.py')).main(
        [face300vw_root[0], root])
    roots['300vw'] = root
    roots['ytf'] = ytf_root[0]
    return roots


@pytest.mark.parametrize('name', sorted(LABELED))
def test_labeled_config_builds(name, data_roots):
    cfg = load_cfg(name)
    size, norm_modes, thresholds, crop_border = LABELED[name]
    assert cfg.dataset_codec == dict(
        type='MSRAHeatmap', input_size=(size, size), heatmap_size=(64, 64),
        sigma=2)
    assert cfg.data_root == f'data/{name}/'
    landmark, hallucination = cfg.val_evaluator
    assert landmark.type == 'FaceLandmarkMetric'
    assert tuple(landmark.norm_modes) == norm_modes
    assert tuple(landmark.thresholds) == thresholds
    assert hallucination == dict(
        type='HallucinationMetric', crop_border=crop_border)
    assert cfg.test_evaluator == cfg.val_evaluator
    for key in ('train_dataloader', 'val_dataloader', 'test_dataloader'):
        ds_cfg = cfg[key].dataset.copy()
        ds_cfg.data_root = data_roots[name]
        ds_cfg.serialize_data = False
        dataset = DATASETS.build(ds_cfg)
        assert len(dataset) > 0
        sample = dataset[0]
        assert tuple(sample['inputs'].shape) == (3, size, size)
        meta = sample['data_samples'].metainfo
        assert meta['labeled'] is True and meta['subsets']
        if key == 'train_dataloader':
            heatmaps = sample['data_samples'].gt_fields.heatmaps
            assert tuple(heatmaps.shape[1:]) == (64, 64)
    pairs_cfg = cfg.train_pair_dataset.copy()
    pairs_cfg.dataset.data_root = data_roots[name]
    view_j, view_k = DATASETS.build(pairs_cfg)[0]
    assert view_j['data_samples'].metainfo['view'] == 0
    assert view_k['data_samples'].metainfo['view'] == 1


def test_subsets_reach_one_test_run(data_roots):
    cfg = load_cfg('300w').test_dataloader.dataset
    cfg.data_root = data_roots['300w']
    full = DATASETS.build(cfg)
    assert sorted({s for i in range(len(full))
                   for s in full.get_data_info(i)['subsets']}) == [
                       'challenging', 'common', 'full'
                   ]
    cfg = load_cfg('aflw').test_dataloader.dataset
    cfg.data_root = data_roots['aflw']
    aflw = DATASETS.build(cfg)
    assert [aflw.get_data_info(i)['subsets'] for i in range(3)] == [
        ('full', 'frontal'), ('full', ), ('full', )
    ]


@pytest.mark.parametrize('name,root,size,mode', [
    ('unlabeled_celeba_256', 'celeba', 256, 'image'),
    ('unlabeled_aflw_256', 'aflw', 256, 'image'),
    ('unlabeled_300vw_128', '300vw', 128, 'video'),
    ('unlabeled_300vw_256', '300vw', 256, 'video'),
    ('unlabeled_youtube_faces_256', 'ytf', 256, 'video'),
])
def test_unlabeled_configs_mix_with_300w(name, root, size, mode, data_roots):
    cfg = load_cfg(name)
    assert all(k.startswith('unlabeled_') for k in cfg.keys())
    unlabeled = cfg.unlabeled_dataset.copy()
    assert unlabeled.pair_mode == mode
    unlabeled.dataset.data_root = data_roots[root]
    labeled = load_cfg('300w' if size == 256 else 'helen').train_pair_dataset
    labeled.dataset.data_root = data_roots['300w' if size == 256 else 'helen']
    mixed = DATASETS.build(
        dict(type='LabeledUnlabeledDataset', labeled=labeled,
             unlabeled=unlabeled))
    assert mixed.unlabeled_size > 0
    view_j, view_k = mixed[mixed.labeled_size]  # first unlabeled pair
    for view in (view_j, view_k):
        assert tuple(view['inputs'].shape) == (3, size, size)
        sample = view['data_samples']
        assert sample.metainfo['labeled'] is False
        assert tuple(sample.gt_fields.heatmaps.shape) == (68, 64, 64)
    if mode == 'video':
        assert view_j['data_samples'].metainfo['video_id'] == \
            view_k['data_samples'].metainfo['video_id']


def test_dataset_bases_combine_with_model_bases(tmp_path):
    """A row config takes runtime, model, dataset and unlabeled bases at
    once: mmengine rejects a name defined in two bases."""
    base = osp.join(REPO_ROOT, 'configs', '_base_')
    for model, labeled, unlabeled in (
            ('dhln_256.py', '300w.py', 'unlabeled_celeba_256.py'),
            ('dhln_256.py', 'wflw.py', 'unlabeled_300vw_256.py'),
            ('dhln_256.py', 'aflw.py', 'unlabeled_youtube_faces_256.py'),
            ('dhln_128.py', 'celeba.py', 'unlabeled_300vw_128.py'),
            ('dhln_128.py', 'helen.py', 'unlabeled_300vw_128.py')):
        cfg_file = tmp_path / 'row.py'
        cfg_file.write_text(
            '_base_ = [\n'
            f'    {osp.join(base, "default_runtime.py")!r},\n'
            f'    {osp.join(base, "models", model)!r},\n'
            f'    {osp.join(CFG_DIR, labeled)!r},\n'
            f'    {osp.join(CFG_DIR, unlabeled)!r},\n'
            ']\n')
        cfg = Config.fromfile(str(cfg_file))
        assert cfg.codec.input_size == cfg.dataset_codec.input_size
        assert cfg.unlabeled_dataset.type == 'FacePairDataset'
        assert cfg.default_scope == 'mmpose'


@pytest.mark.parametrize('name', ['300w', 'wflw', 'aflw', '300vw'])
def test_configs_double_as_mmpose_metainfo(name):
    """mmpose's own datasets look for 'configs/_base_/datasets/<name>.py'
    relative to the working directory; in this repository that is our
    config, which therefore carries mmpose's dataset_info."""
    from mmpose.datasets.datasets.utils import parse_pose_metainfo
    meta = parse_pose_metainfo(
        dict(from_file=osp.join(CFG_DIR, f'{name}.py')))
    assert meta['num_keypoints'] == {
        '300w': 68, 'wflw': 98, 'aflw': 19, '300vw': 68
    }[name]
