"""Every row of the metafile: its config loads, its model and datasets build
(data roots pointed at generated fixtures), its reported numbers are marked
as the paper's and match what the config's evaluator prints, and nothing is
downloaded."""
import copy
import os.path as osp
import re

import pytest
from helpers.config_testing import (DATA_ROOTS, REPO_ROOT, config_path,
                                    data_roots, dataloader_configs,
                                    flat_config, load_config, load_metafile,
                                    with_data_roots)
from mmengine.config import Config
from mmengine.registry import init_default_scope
from mmengine.runner import Runner

import sht  # noqa: F401  (registers the modules)

ENTRIES = load_metafile()
NAMES = [entry['Name'] for entry in ENTRIES]
FOLDER = {
    'CelebA': 'celeba',
    'Helen': 'helen',
    '300W': '300w',
    'AFLW': 'aflw',
    'WFLW': 'wflw'
}

# The rows of the paper's tables, by table.
PAPER_ROWS = {
    'Tables 1 and 5': [
        f'{row}_{ds}' for ds in ('CelebA', 'Helen')
        for row in ('FHS', 'DHLN', 'SHT', 'SHT-v')
    ],
    'Table 5': [
        f'{row}_{ds}' for ds in ('CelebA', 'Helen')
        for row in ('DHLN-nograd', 'SHT-nograd', 'SHT-v-nograd')
    ],
    'Table 2': [
        f'{row}_300W'
        for row in ('SHN', 'DHLN-M', 'SHT-M', 'SHT-M-i', 'SHT-M-v')
    ],
    'Table 3': [f'{row}_AFLW' for row in ('SHT-M', 'SHT-M-i', 'SHT-M-v')],
    'Table 4': [f'{row}_WFLW' for row in ('SHT-M', 'SHT-M-i', 'SHT-M-v')],
    'Table 6':
    ['SHT-M+YouTubeFace_300W', 'SHT-M+AFLW_300W', 'SHT-M-i+CelebA_300W'],
}
# Ablation baselines of Tables 3-4 that the paper does not report.
UNREPORTED = ['SHN_AFLW', 'DHLN-M_AFLW', 'SHN_WFLW', 'DHLN-M_WFLW']

# Parameter counts given in the paper (Sec. 4.5).
PAPER_PARAMETERS = {'SHN_300W': 16.41e6, 'DHLN_CelebA': 22.72e6}


def test_metafile_lists_every_row_once():
    expected = sorted(sum(PAPER_ROWS.values(), []) + UNREPORTED)
    assert sorted(NAMES) == expected
    assert len(set(NAMES)) == len(NAMES)


@pytest.mark.parametrize('entry', ENTRIES, ids=NAMES)
def test_entry_config_is_named_after_the_row(entry):
    name = entry['Name']
    dataset = name.rsplit('_', 1)[1]
    assert entry['Config'] == f'configs/sht/{FOLDER[dataset]}/{name}.py'
    assert osp.isfile(config_path(entry))
    assert entry['In Collection'] == 'SHT'


def test_reported_numbers_are_marked_as_the_papers():
    for table, rows in PAPER_ROWS.items():
        for name in rows:
            entry = ENTRIES[NAMES.index(name)]
            results = entry['Results']
            assert len(results) == 1, name
            assert results[0]['Source'] == \
                f'reported in the paper ({table})', name
            assert results[0]['Metrics'], name
    for name in UNREPORTED:
        assert 'Results' not in ENTRIES[NAMES.index(name)]


def _evaluator_keys(cfg: Config):
    """Patterns of the result keys the config's test evaluator prints."""
    items = cfg.test_evaluator
    items = items if isinstance(items, (list, tuple)) else [items]
    keys = set()
    for metric in items:
        if metric['type'] == 'HallucinationMetric':
            keys |= {'PSNR', 'SSIM'}
        elif metric['type'] == 'FaceLandmarkMetric':
            for mode in metric['norm_modes']:
                keys.add(f'NME_{mode}')
                for t in metric['thresholds']:
                    keys |= {f'AUC_{mode}@{t}', f'FR_{mode}@{t}'}
    return keys


@pytest.mark.parametrize('entry', ENTRIES, ids=NAMES)
def test_reported_metrics_are_printed_by_the_config(entry):
    """Each metric of the entry is a key tools/test.py prints for this
    config (``<key>`` or ``<key>/<subset>``), so a run can fill it in."""
    cfg = load_config(config_path(entry))
    printed = _evaluator_keys(cfg)
    for result in entry.get('Results', []):
        assert result['Dataset'] == entry['Name'].rsplit('_', 1)[1]
        for key in result['Metrics']:
            assert key.split('/')[0] in printed, (entry['Name'], key)


def _header_numbers(path: str):
    """Numbers quoted on the '# Paper...' lines of a config's header."""
    numbers, in_paper = [], False
    with open(path) as f:
        for line in f:
            if not line.startswith('#'):
                break
            in_paper = in_paper or line.startswith('# Paper')
            if in_paper:
                text = re.sub(r'@\d+|NME_\w+|AUC_\w+|FR_\w+', '', line)
                numbers += [float(x) for x in re.findall(r'\d+\.\d+', text)]
    return sorted(numbers)


@pytest.mark.parametrize('entry', ENTRIES, ids=NAMES)
def test_config_header_quotes_the_metafile_numbers(entry):
    metrics = entry.get('Results', [{}])[0].get('Metrics', {})
    assert _header_numbers(config_path(entry)) == sorted(
        float(v) for v in metrics.values())


@pytest.mark.parametrize('entry', ENTRIES, ids=NAMES)
def test_config_downloads_nothing(entry):
    """No URL anywhere in the config (but the dataset's citation, which
    nothing reads), no pretrained init, and relative local files only
    (checkpoints, VGG weights)."""
    cfg = load_config(config_path(entry))
    flat = flat_config(cfg)
    for key, value in flat.items():
        if key.startswith('dataset_info.paper_info.'):
            continue
        if isinstance(value, str):
            assert not re.search(r'(https?|s3|ftp)://', value), (key, value)
            assert not value.startswith(('torchvision://', 'open-mmlab://',
                                         'mmcls://', 'pretrain://')), key
    assert not [
        k for k, v in flat.items()
        if k.endswith('init_cfg.type') and v == 'Pretrained'
    ]
    for key in ('load_from', 'model.fptn.perceptual_loss.vgg_weights'):
        value = flat.get(key)
        assert value is None or not osp.isabs(value), (key, value)


# ------------------------------------------------------------------ models
def _model_cfg(cfg: Config) -> dict:
    """The model config without the VGG file (tests run without it)."""
    model = copy.deepcopy(cfg.model.to_dict())
    if 'fptn' in model:
        model['fptn']['perceptual_loss']['vgg_weights'] = None
    return model


def _dataset_keypoints(cfg: Config) -> int:
    """K of the config's test dataset, from its class's metainfo."""
    from mmpose.datasets.datasets.utils import parse_pose_metainfo
    from mmpose.registry import DATASETS
    ds_cfg = cfg.test_dataloader.dataset
    if 'num_keypoints' in ds_cfg:  # CelebA: 5 or 68 from the argument
        return ds_cfg['num_keypoints']
    metainfo = DATASETS.get(ds_cfg['type']).METAINFO
    return parse_pose_metainfo(copy.deepcopy(metainfo))['num_keypoints']


def test_every_model_builds_and_matches_its_data():
    """Build each distinct model config once (paper-sized, on the CPU)."""
    from mmpose.registry import MODELS
    init_default_scope('mmpose')
    built = {}
    for entry in ENTRIES:
        cfg = load_config(config_path(entry))
        model_cfg = _model_cfg(cfg)
        key = repr(model_cfg)
        if key not in built:
            model = MODELS.build(model_cfg)
            built[key] = dict(
                type=type(model).__name__,
                params=sum(p.numel() for p in model.parameters()),
                dhln_params=sum(p.numel()
                                for p in model.backbone.parameters()),
                keypoints=model.head.num_keypoints,
                fptn=getattr(model, 'with_fptn', False),
                fptn_keypoints=getattr(
                    getattr(model, 'generator', None), 'num_keypoints', None))
            del model
        info = built[key]
        name = entry['Name']
        assert info['type'] == cfg.model.type, name
        assert info['keypoints'] == _dataset_keypoints(cfg), name
        # SHT rows train DHLN through FPTN; the others are DHLN alone
        assert info['fptn'] == name.startswith('SHT'), name
        if info['fptn']:
            assert info['fptn_keypoints'] == info['keypoints'], name
        if name in PAPER_PARAMETERS:
            paper = PAPER_PARAMETERS[name]
            assert abs(info['params'] - paper) / paper < 0.01, (name,
                                                                info['params'])
    assert len(built) >= 10  # SHN/DHLN/FHS/SHT at 19, 68, 98 points


# ---------------------------------------------------------------- datasets
def test_every_data_root_has_a_fixture():
    for entry in ENTRIES:
        cfg = load_config(config_path(entry))
        for where, loader in dataloader_configs(cfg):
            roots = data_roots(loader)
            assert roots, (entry['Name'], where)
            assert set(roots) <= set(DATA_ROOTS), (entry['Name'], roots)


def _loader_for_test(loader: dict, fixtures: dict) -> dict:
    loader = with_data_roots(copy.deepcopy(loader), fixtures)
    loader.update(num_workers=0, persistent_workers=False)
    return loader


# What a dataloader config gives; many rows share their dataloaders, so each
# distinct one is built once.
_LOADER_FACTS = {}


def _loader_facts(loader_cfg: dict, fixtures: dict, train: bool) -> dict:
    """Build the dataloader (the runner's way) and read its first sample
    (val/test) or its first batch (train)."""
    loader_cfg = _loader_for_test(loader_cfg, fixtures)
    key = repr(loader_cfg)
    if key in _LOADER_FACTS:
        return _LOADER_FACTS[key]
    loader = Runner.build_dataloader(loader_cfg, seed=0)
    dataset = loader.dataset
    facts = dict(
        size=len(dataset),
        labeled_size=getattr(dataset, 'labeled_size', None),
        unlabeled_size=getattr(dataset, 'unlabeled_size', None))
    if train:
        batch = next(iter(loader))
        samples = batch['data_samples']
        assert len(batch['inputs']) == len(samples)
        facts.update(
            shapes=[tuple(img.shape) for img in batch['inputs']],
            views=[s.metainfo.get('view') for s in samples],
            labeled=[s.metainfo['labeled'] for s in samples])
    else:
        sample = dataset[0]
        facts.update(
            shapes=[tuple(sample['inputs'].shape)],
            labeled=[sample['data_samples'].metainfo['labeled']])
    _LOADER_FACTS[key] = facts
    return facts


@pytest.mark.parametrize('entry', ENTRIES, ids=NAMES)
def test_datasets_build_on_fixtures(entry, dataset_fixtures):
    """Every dataloader of the row (the runner's and the phases') builds
    with the config's own classes, samplers and collate function and gives
    samples of the model's input size: single faces (batch 16) for the DHLN
    rows; pairs of views flattened [j0, k0, j1, k1, ...] (8 pairs = 16
    faces, Sec. 4.1) for the SHT rows, half of them unlabeled in the
    weakly-supervised phase."""
    init_default_scope('mmpose')
    cfg = load_config(config_path(entry))
    name = entry['Name']
    hr = cfg.codec['input_size'][0]
    for where, loader_cfg in dataloader_configs(cfg):
        train = where not in ('val_dataloader', 'test_dataloader')
        facts = _loader_facts(loader_cfg, dataset_fixtures, train)
        assert facts['size'] > 0, (name, where)
        assert set(facts['shapes']) == {(3, hr, hr)}, (name, where)
        if not train:
            assert facts['labeled'] == [True], (name, where)
        elif not name.startswith('SHT'):
            assert loader_cfg['batch_size'] == 16, name
            assert len(facts['shapes']) == min(16, facts['size']), name
            assert all(facts['labeled']), name
        else:
            assert loader_cfg['batch_size'] == 8, name
            num_views = len(facts['views'])
            assert num_views > 0 and num_views % 2 == 0, name
            assert facts['views'] == [0, 1] * (num_views // 2), name
            if where == 'train_dataloader':
                assert all(facts['labeled']), name
            else:
                assert facts['labeled_size'] > 0, name
                assert facts['unlabeled_size'] > 0, name
                assert facts['labeled'] == [True] * 8 + [False] * 8, name


def test_fixture_roots_are_outside_the_repository(dataset_fixtures):
    for root in dataset_fixtures.values():
        assert not osp.abspath(root).startswith(REPO_ROOT)
