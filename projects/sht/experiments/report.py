"""Tables and checks of the demo and of the seed ablation."""
import math
import warnings
from typing import Dict, List, Tuple

from mmengine.config import Config
from mmengine.runner import Runner
from mmpose.registry import DATASETS
from tqdm import tqdm

from ..evaluation.baselines import baseline_predictor, mean_shape
from ..evaluation.checkpoint_eval import evaluate, format_rows, metric_row
from .equal_budget import (ExperimentPlan, evaluate_arms, paired_rows,
                           seeded, train_arms)

NUM_TEST_PAIRS = 48
ROW_ORDER = ('shn', 'fhs', 'dhln', 'sht/sht', 'control/sht', 'sht/sht_weak',
             'control/sht_weak')


def test_batches(cfg: Config, num_pairs: int = NUM_TEST_PAIRS) -> dict:
    """The test faces, decoded once, and seeded pairs of test views.

    Returns:
        dict: ``batches`` (single faces), ``pairs`` (``pair_collate``
        batches of 8 pairs of labeled test views with target heatmaps),
        ``meta``, ``threshold`` (AUC / FR), ``num_faces``.
    """
    loader = Runner.build_dataloader(cfg.test_dataloader)
    batches = list(tqdm(loader, desc='test faces', unit='batch'))
    pair_set = dict(
        cfg.labeled_pairs,
        dataset=dict(cfg.test_dataloader.dataset, pipeline=[],
                     test_mode=False))
    seeded(0)
    pair_loader = Runner.build_dataloader(
        dict(batch_size=8, num_workers=0,
             sampler=dict(type='DefaultSampler', shuffle=False),
             collate_fn=dict(type='pair_collate'), dataset=pair_set),
        seed=0)
    pairs = []
    for batch in pair_loader:
        pairs.append(batch)
        if 8 * len(pairs) >= num_pairs:
            break
    threshold = next(m['thresholds'][0] for m in cfg.test_evaluator
                     if m['type'] == 'FaceLandmarkMetric')
    return dict(batches=batches, pairs=pairs,
                meta=loader.dataset.metainfo, threshold=threshold,
                num_faces=len(loader.dataset))


def train_and_evaluate(plan: ExperimentPlan, force: bool = False,
                       num_show: int = 0) -> Tuple[dict, dict, dict]:
    """Train the plan's missing runs, then evaluate every phase-end
    checkpoint on the cached test set.

    Returns:
        tuple: seconds per run (:func:`train_arms`), the test data
        (:func:`test_batches`) and the results (:func:`evaluate_arms`).
    """
    seconds = train_arms(plan, force)
    data = test_batches(plan.config('pretrain'))
    with warnings.catch_warnings():
        # checkpoints these runs wrote themselves (torch 2.5's pickle notice)
        warnings.filterwarnings('ignore', message='.*weights_only=False',
                                category=FutureWarning)
        results = evaluate_arms(plan, data['batches'], data['pairs'],
                                data['meta'], data['threshold'], num_show)
    return seconds, data, results


def demo_table(plan: ExperimentPlan, data: dict, results: dict,
               num_show: int = 0) -> Tuple[dict, dict]:
    """The demo's rows (baselines first), markdown, CED curves and the
    paired comparison; and the baselines' faces for the pictures."""
    cfg = plan.config('pretrain')
    train_faces = DATASETS.build(
        dict(cfg.train_dataloader.dataset['dataset'], pipeline=[]))
    metrics, nme, records = evaluate(
        baseline_predictor(mean_shape(train_faces), cfg.model.lr_size),
        data['batches'], cfg.test_evaluator, data['meta'], 'baselines',
        num_show)
    thr = data['threshold']
    rows = [
        dict(metric_row('mean shape', metrics, thr), PSNR=math.nan,
             SSIM=math.nan),
        dict(metric_row('bicubic', metrics, thr), NME_io=math.nan,
             AUC=math.nan, FR=math.nan),
    ]
    curves = {'mean shape': nme}
    seed = plan.seeds[0]
    for key in ROW_ORDER:
        full = f'{key}/seed{seed}' if key.startswith(('sht/', 'control/')) \
            else key
        if full not in results['rows']:
            continue
        rows.append(results['rows'][full])
        if not math.isnan(rows[-1]['NME_io']):
            curves[rows[-1]['name']] = results['nme'][full]
    paired = paired_rows(results['nme'], plan.seeds)
    return dict(rows=rows, markdown=format_rows(rows, thr), curves=curves,
                paired=paired), dict(records=records)


def transfer_table(transfer: Dict[str, float]) -> str:
    """FPTN after pretraining against copying the condition face."""
    n = transfer['num_transfers']
    return '\n'.join([
        f'| held-out test pairs ({n} transfers) | L1 to the target view | '
        'PSNR on Y (dB) |', '|---|---:|---:|',
        f"| FPTN (phase 2, true heatmaps) | {transfer['l1_fptn']:.4f} | "
        f"{transfer['psnr_fptn']:.2f} |",
        f"| identity (the condition face itself) | "
        f"{transfer['l1_identity']:.4f} | {transfer['psnr_identity']:.2f} |"
    ])


def paired_table(rows: List[dict]) -> str:
    """SHT against its control (:func:`paired_rows`): NME_io mean +- std
    over seeds and the paired per-face difference with its 95% bootstrap
    interval."""
    lines = [
        '| phase | SHT NME_io (%) | control NME_io (%) | SHT - control '
        '(per face, 95% CI) | faces where SHT is better | seeds |',
        '|---|---:|---:|---:|---:|---:|'
    ]
    names = dict(sht='3 (labeled pairs)', sht_weak='4 (+ unlabeled video)')
    for row in rows:
        lines.append(
            f"| {names.get(row['phase'], row['phase'])} | "
            f"{row['sht']['mean']:.3f} +- {row['sht']['std']:.3f} | "
            f"{row['control']['mean']:.3f} +- {row['control']['std']:.3f} | "
            f"{row['mean_diff']:+.3f} [{row['ci_low']:+.3f}, "
            f"{row['ci_high']:+.3f}] | {100 * row['frac_a_better']:.0f}% | "
            f"{row['sht']['n']} |")
    return '\n'.join(lines)


def demo_checks(rows: List[dict]) -> Tuple[bool, List[str]]:
    """The demo's claims on its final model (the last SHT row):
    NME <= 0.5 x mean shape, PSNR > bicubic."""
    by_name = {row['name']: row for row in rows}
    mean, bicubic = by_name['mean shape'], by_name['bicubic']
    final = [r for r in rows if r['name'].startswith('SHT')][-1]
    ratio = final['NME_io'] / mean['NME_io']
    gain = final['PSNR'] - bicubic['PSNR']
    ok_nme, ok_psnr = ratio <= 0.5, gain > 0
    lines = [
        f"final model ({final['name']}): NME_io {final['NME_io']:.2f}% = "
        f"{ratio:.2f} x mean shape ({mean['NME_io']:.2f}%): "
        f"{'PASS' if ok_nme else 'FAIL'} (needs <= 0.50)",
        f"final model: PSNR {final['PSNR']:.2f} dB = bicubic "
        f"{bicubic['PSNR']:.2f} dB {gain:+.2f} dB: "
        f"{'PASS' if ok_psnr else 'FAIL'} (needs > 0)"
    ]
    return ok_nme and ok_psnr, lines
