"""Each ablation row differs from its parent row exactly by what the paper
describes. Both configs are flattened to ``{dotted.key: value}`` and
compared; the keys each kind of ablation may change are listed below, and
the values they take are checked."""
import ast
import os.path as osp
import re

import pytest
from helpers.config_testing import (config_diff, config_path, load_metafile,
                                    load_row, metric_types, phase_dataloader)

from sht.engine import planned_iters
from sht.engine.loops import run_phase_specs

ENTRIES = {entry['Name']: entry for entry in load_metafile()}

# child -> (parent, kind of ablation)
ABLATIONS = {}
for ds in ('300W', 'AFLW', 'WFLW'):
    ABLATIONS[f'SHN_{ds}'] = (f'DHLN-M_{ds}', 'sr_stream_switch')
    ABLATIONS[f'SHT-M-i_{ds}'] = (f'SHT-M_{ds}', 'unlabeled_data')
    ABLATIONS[f'SHT-M-v_{ds}'] = (f'SHT-M_{ds}', 'unlabeled_data')
for ds in ('CelebA', 'Helen'):
    ABLATIONS[f'FHS_{ds}'] = (f'DHLN_{ds}', 'landmark_stream_switch')
    ABLATIONS[f'SHT-v_{ds}'] = (f'SHT_{ds}', 'unlabeled_data')
    for row in ('DHLN', 'SHT', 'SHT-v'):
        ABLATIONS[f'{row}-nograd_{ds}'] = (f'{row}_{ds}', 'no_gradient_loss')
ABLATIONS['SHT-M+YouTubeFace_300W'] = ('SHT-M_300W', 'unlabeled_data')
ABLATIONS['SHT-M+AFLW_300W'] = ('SHT-M_300W', 'unlabeled_data')
# Table 6 re-reads the SHT-M-i training with the inter-pupil NME
ABLATIONS['SHT-M-i+CelebA_300W'] = ('SHT-M-i_300W', 'same_training')


def ablations_of(kind):
    """The ablation rows of ``kind``, sorted."""
    return sorted(c for c, (_, k) in ABLATIONS.items() if k == kind)


# The only flattened keys each kind may change (regular expressions).
ALLOWED = {
    # SHN = DHLN-M without the face hallucination stream; with no
    # hallucinated face there is nothing for PSNR/SSIM (the evaluator's
    # second metric) to measure.
    'sr_stream_switch': [
        r'model\.backbone\.with_sr_stream',
        r'(val|test)_evaluator\.1\..+',
    ],
    # FHS = DHLN without the landmark stream; with no landmarks there is
    # no flip test and no landmark metric.
    'landmark_stream_switch': [
        r'model\.backbone\.with_landmark_stream',
        r'model\.test_cfg\.flip_test',
        r'(val|test)_evaluator\..+',
    ],
    # gamma3 = 0 in Eq. 4; an SHT row's earlier phases are then the runs
    # without the gradient loss too (its load_from checkpoint).
    'no_gradient_loss': [
        r'model\.head\.gamma_grad',
        r'load_from',
    ],
    # the unlabeled dataset and what it needs: the weakly-supervised phase
    # of the recipe that reads it (its dataloader; the run trains that phase
    # alone) and the start from the parent's last checkpoint.
    'unlabeled_data': [
        r'unlabeled_\w+(\..+)?',
        r'weak_dataloader\..+',
        r'train_cfg\.start_phase',
        r'train_cfg\.end_phase',
        r'load_from',
    ],
    'same_training': [],
}

# The unlabeled data of each weakly-supervised row (paper Sec. 4.1-4.3).
UNLABELED_DATASET = {
    '-i': ('SHTCelebADataset', 'image'),
    '-v': ('SHTFace300VWDataset', 'video'),
    '+YouTubeFace': ('SHTFrameFolderDataset', 'video'),
    '+AFLW': ('SHTAFLWDataset', 'image'),
}

# SHT rows and the DHLN row that is their phase 1 (Sec. 4.1).
SHT_OF_DHLN = {
    'SHT_CelebA': 'DHLN_CelebA',
    'SHT_Helen': 'DHLN_Helen',
    'SHT-nograd_CelebA': 'DHLN-nograd_CelebA',
    'SHT-nograd_Helen': 'DHLN-nograd_Helen',
    'SHT-M_300W': 'DHLN-M_300W',
    'SHT-M_AFLW': 'DHLN-M_AFLW',
    'SHT-M_WFLW': 'DHLN-M_WFLW',
}


def first_base(name: str) -> str:
    """The first ``_base_`` entry of a row config (a metafile name or a
    config path), read from its source."""
    path = config_path(ENTRIES[name]) if name in ENTRIES else name
    with open(path) as f:
        tree = ast.parse(f.read())
    for node in tree.body:
        if isinstance(node, ast.Assign) and node.targets[0].id == '_base_':
            bases = ast.literal_eval(node.value)
            return bases[0] if isinstance(bases, list) else bases
    raise AssertionError(f'{name} has no _base_')


def last_checkpoint(name: str) -> str:
    """Where a row's run leaves its last checkpoint (tools/train.py's
    default work dir; CheckpointHook saves the last epoch / iteration)."""
    train_cfg = load_row(name).train_cfg
    if train_cfg.get('type') == 'SHTTrainLoop':
        return f'work_dirs/{name}/iter_{planned_iters(train_cfg)}.pth'
    assert train_cfg.by_epoch
    return f'work_dirs/{name}/epoch_{train_cfg.max_epochs}.pth'


def test_every_ablation_row_is_listed():
    """All rows but the top of each chain are checked against a parent."""
    roots = {
        'DHLN-M_300W', 'DHLN-M_AFLW', 'DHLN-M_WFLW', 'DHLN_CelebA',
        'DHLN_Helen', 'SHT-M_300W', 'SHT-M_AFLW', 'SHT-M_WFLW', 'SHT_CelebA',
        'SHT_Helen'
    }
    assert set(ABLATIONS) | roots == set(ENTRIES)
    assert set(SHT_OF_DHLN) >= roots - {n for n in roots if 'DHLN' in n}


@pytest.mark.parametrize('child', sorted(ABLATIONS))
def test_ablation_inherits_its_parent(child):
    """Directly, or (weakly-supervised rows) through the one base of the
    weakly-supervised rows of the parent's labeled data."""
    parent, kind = ABLATIONS[child]
    base = first_base(child)
    if kind != 'unlabeled_data':
        assert base == f'./{parent}.py'
        return
    folder = osp.dirname(config_path(ENTRIES[child]))
    assert base == '../../_base_/weak_supervision/' \
        f'{parent.lower()}.py', base
    assert first_base(osp.join(folder, base)) == \
        f'../../sht/{osp.basename(folder)}/{parent}.py'


@pytest.mark.parametrize('child', sorted(ABLATIONS))
def test_ablation_changes_only_what_the_paper_describes(child):
    parent, kind = ABLATIONS[child]
    diff = config_diff(load_row(child), load_row(parent))
    allowed = [re.compile(p) for p in ALLOWED[kind]]
    unexpected = {
        key: values
        for key, values in diff.items()
        if not any(p.fullmatch(key) for p in allowed)
    }
    assert not unexpected, f'{child} vs {parent}: {unexpected}'
    if kind != 'same_training':
        assert diff, f'{child} is identical to {parent}'
    else:
        assert not diff


def switched_off(child, stream, kept):
    """Row ``child`` and its parent, checking that the row switches off
    the parent's ``stream`` and keeps its ``kept`` stream."""
    cfg, parent = load_row(child), load_row(ABLATIONS[child][0])
    assert getattr(parent.model.backbone, f'with_{stream}_stream') is True
    assert getattr(cfg.model.backbone, f'with_{stream}_stream') is False
    assert getattr(cfg.model.backbone, f'with_{kept}_stream') is True
    return cfg, parent


@pytest.mark.parametrize('child', ablations_of('sr_stream_switch'))
def test_shn_switches_off_the_sr_stream(child):
    cfg, parent = switched_off(child, 'sr', kept='landmark')
    assert metric_types(parent.test_evaluator) == [
        'FaceLandmarkMetric', 'HallucinationMetric'
    ]
    assert cfg.test_evaluator == parent.test_evaluator[:1]
    assert cfg.val_evaluator == parent.val_evaluator[:1]


@pytest.mark.parametrize('child', ablations_of('landmark_stream_switch'))
def test_fhs_switches_off_the_landmark_stream(child):
    cfg, parent = switched_off(child, 'landmark', kept='sr')
    assert cfg.model.test_cfg.flip_test is False
    hallucination = [
        m for m in parent.test_evaluator if m['type'] == 'HallucinationMetric'
    ]
    assert cfg.test_evaluator == hallucination
    assert cfg.val_evaluator == hallucination


@pytest.mark.parametrize('child', ablations_of('no_gradient_loss'))
def test_nograd_sets_gamma3_to_zero(child):
    parent_name = ABLATIONS[child][0]
    cfg, parent = load_row(child), load_row(parent_name)
    # (gamma1, gamma2, gamma3) = (1, 0.01, 0.01) in the paper (Sec. 4.1)
    assert (parent.model.head.gamma_heatmap, parent.model.head.gamma_sr,
            parent.model.head.gamma_grad) == (1.0, 0.01, 0.01)
    assert cfg.model.head.gamma_grad == 0.0
    if parent.get('load_from') is None:
        assert cfg.get('load_from') is None  # DHLN: phase 1 itself
        return
    # the earlier phases come from the matching no-gradient-loss run
    earlier = parent.load_from.split('/')[1]
    earlier_nograd = earlier.replace('_', '-nograd_', 1)
    assert earlier_nograd in ENTRIES
    assert load_row(earlier_nograd).model.head.gamma_grad == 0.0
    assert cfg.load_from == last_checkpoint(earlier_nograd)
    assert parent.load_from == last_checkpoint(earlier)


@pytest.mark.parametrize('child', ablations_of('unlabeled_data'))
def test_weak_rows_add_a_phase_with_the_unlabeled_data(child):
    parent_name = ABLATIONS[child][0]
    cfg, parent = load_row(child), load_row(parent_name)
    hook, parent_hook = cfg.train_cfg, parent.train_cfg
    assert hook.type == parent_hook.type == 'SHTTrainLoop'
    # one recipe: the parent trains phases 2-3 of it, the row phase 4 alone
    assert hook.phases == parent_hook.phases
    assert [p.name for p in hook.phases] == ['fptn', 'sht', 'sht_weak']
    assert [p['name'] for p in run_phase_specs(parent_hook)] == ['fptn', 'sht']
    assert [p['name'] for p in run_phase_specs(hook)] == ['sht_weak']
    # phase 4 of Sec. 4.1, continuing from the parent's last checkpoint
    assert hook.start_phase == 'sht_weak'
    assert cfg.load_from == last_checkpoint(parent_name)
    weak = hook.phases[2]
    assert planned_iters(cfg.train_cfg) == weak.iters
    assert 'max_iters' not in cfg.train_cfg  # it follows from the phases
    loader = phase_dataloader(cfg, weak)
    assert loader.sampler.type == 'MixedRatioSampler'
    assert loader.sampler.batch_size == loader.batch_size == 8
    assert 0 < loader.sampler.labeled_ratio < 1
    assert loader.collate_fn.type == 'pair_collate'
    mixed = loader.dataset
    assert mixed.type == 'LabeledUnlabeledDataset'
    # the labeled pairs are exactly the parent's training data
    assert mixed.labeled == parent.train_dataloader.dataset
    assert mixed.unlabeled == cfg.unlabeled_dataset
    suffix = re.search(r'SHT(-M)?(-i|-v|\+YouTubeFace|\+AFLW)_',
                       child).group(2)
    dataset_type, pair_mode = UNLABELED_DATASET[suffix]
    assert mixed.unlabeled.type == 'FacePairDataset'
    assert mixed.unlabeled.pair_mode == pair_mode
    assert mixed.unlabeled.dataset.type == dataset_type
    assert mixed.unlabeled.dataset.get('labeled', False) is False
    # the unlabeled crops are the labeled ones' size
    affine = [t for t in mixed.unlabeled.pipeline if t.type == 'TopdownAffine']
    assert [t.input_size for t in affine] == [cfg.codec.input_size]


@pytest.mark.parametrize('sht_row', sorted(SHT_OF_DHLN))
def test_sht_row_is_its_dhln_row_plus_fptn(sht_row):
    """An SHT row infers and evaluates with exactly its DHLN row's network
    and data; it adds FPTN (training only), pairs of views and the phases,
    starting from the DHLN row's last checkpoint."""
    dhln_row = SHT_OF_DHLN[sht_row]
    cfg, dhln = load_row(sht_row), load_row(dhln_row)
    model_diff = config_diff(cfg.model, dhln.model)
    assert {
        k
        for k in model_diff
        if k not in ('type', 'train_cfg') and not k.startswith('fptn.')
    } == set(), model_diff
    assert (cfg.model.type, dhln.model.type) == ('SHTEstimator',
                                                 'DHLNEstimator')
    for key in ('val_dataloader', 'test_dataloader', 'val_evaluator',
                'test_evaluator', 'codec'):
        assert cfg[key] == dhln[key], key
    assert cfg.load_from == last_checkpoint(dhln_row)
    hook = cfg.train_cfg
    assert hook.type == 'SHTTrainLoop' and 'start_phase' not in hook
    trained = run_phase_specs(hook)
    assert [p['name'] for p in trained] == ['fptn', 'sht']
    assert sum(p['iters'] for p in trained) == planned_iters(hook)
    assert cfg.train_dataloader.dataset == cfg.train_pair_dataset


@pytest.mark.parametrize('name', sorted(ENTRIES))
def test_rows_use_the_papers_hyper_parameters(name):
    """Sec. 4.1: batch 16 = 8 pairs; gamma = (1, 0.01, 0.01) (gamma3 = 0
    without the gradient loss); lambda = (0.05, 0.01, 0.01); pairs of one
    image: rotation (-30, 30) deg, box scale (0.8, 1.2)."""
    cfg = load_row(name)
    head = cfg.model.head
    gamma3 = 0.0 if '-nograd' in name else 0.01
    assert (head.gamma_heatmap, head.gamma_sr, head.gamma_grad) == (1.0, 0.01,
                                                                    gamma3)
    assert cfg.auto_scale_lr.base_batch_size == \
        cfg.train_dataloader.batch_size
    if not name.startswith('SHT'):
        assert cfg.train_dataloader.batch_size == 16
        return
    assert cfg.train_dataloader.batch_size == 8
    assert cfg.train_dataloader.collate_fn.type == 'pair_collate'
    fptn = cfg.model.fptn
    assert dict(fptn.loss_weights) == dict(gan=0.05, l1=0.01, perceptual=0.01)
    pairs = cfg.train_dataloader.dataset
    assert pairs.pair_mode == 'image'
    view = [t for t in pairs.pipeline if t.type == 'RandomPairView'][0]
    assert view.rotate_factor == 30
    assert tuple(view.scale_factor) == (0.8, 1.2)
