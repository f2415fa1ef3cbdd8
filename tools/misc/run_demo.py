"""Train, evaluate and picture the SHT demo on synthetic faces (CPU).

Runs the four SHT phases of ``configs/sht/demo/sht_synthetic.py`` in one
mmengine run (a checkpoint ends every phase), evaluates the DHLN of each
phase-end checkpoint on the synthetic 300W test faces, and prints a table of
NME (inter-ocular), AUC, FR, PSNR and SSIM beside two baselines:

- *mean shape*: the mean of the training landmarks in the normalised face
  crop, placed into each test crop (no image is looked at);
- *bicubic*: the LR face (bicubic down-sampling of the HR crop, as the model
  receives it) up-sampled back to the HR size by bicubic interpolation.

Everything lands in ``--work-dir`` (default ``work_dirs/demo``): the
checkpoints and logs, ``results.json`` / ``results.md`` (the table) and the
pictures (``faces.png``, ``heatmaps.png``, ``fptn_transfers.png``,
``ced.png``, ``losses.png``).

A run whose work dir already holds every phase-end checkpoint only evaluates
them; ``--force`` retrains.

Example:
    python tools/misc/run_demo.py                     # the README demo
    python tools/misc/run_demo.py --phase-iters 4 2 2 2 --work-dir /tmp/d
"""
import argparse
import json
import math
import os
import os.path as osp
import sys
import time
import warnings
from functools import reduce
from typing import Dict, List, Optional, Sequence, Tuple

ROOT = osp.abspath(osp.join(osp.dirname(__file__), '..', '..'))
sys.path.insert(0, osp.join(ROOT, 'projects'))
sys.path.insert(0, osp.dirname(osp.abspath(__file__)))
import sht  # noqa: E402,F401  (before mmengine: hides a torch notice)
import numpy as np  # noqa: E402
import torch  # noqa: E402
from mmengine.config import Config  # noqa: E402
from mmengine.evaluator import Evaluator  # noqa: E402
from mmengine.registry import init_default_scope  # noqa: E402
from mmengine.runner import Runner, load_checkpoint  # noqa: E402
from mmengine.structures import InstanceData, PixelData  # noqa: E402
from mmpose.registry import DATASETS, MODELS  # noqa: E402
from mmpose.structures import PoseDataSample  # noqa: E402
from mmpose.structures.bbox import bbox_xyxy2cs  # noqa: E402
from tqdm import tqdm  # noqa: E402

from demo_figures import (FaceRecord, plot_ced_curves,  # noqa: E402
                          plot_face_grid, plot_fptn_transfers,
                          plot_heatmaps, plot_loss_curves)
from sht.evaluation.functional import face_nme, interocular  # noqa: E402
from sht.models.degradation import bicubic_degrade  # noqa: E402

DEFAULT_CONFIG = osp.join(ROOT, 'configs', 'sht', 'demo', 'sht_synthetic.py')
PHASE_TITLES = {
    'dhln': 'DHLN (phase 1)',
    'fptn': 'FPTN pretrained (phase 2, DHLN frozen)',
    'sht': 'SHT (phase 3)',
    'sht_weak': 'SHT + unlabeled video (phase 4)',
}
OUTER_EYE_CORNERS = (36, 45)  # 68-point layout, NME_io


def parse_args(argv: Optional[List[str]] = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        description='Train and evaluate the SHT demo on synthetic faces.')
    parser.add_argument('--config', default=DEFAULT_CONFIG,
                        help='demo config')
    parser.add_argument('--work-dir', default='work_dirs/demo',
                        help='checkpoints, logs, table and pictures')
    parser.add_argument('--force', action='store_true',
                        help='retrain even when every phase checkpoint '
                        'exists')
    parser.add_argument('--phase-iters', type=int, nargs=4,
                        metavar=('DHLN', 'FPTN', 'SHT', 'SHT_WEAK'),
                        help='iterations of the four phases (default: the '
                        "config's)")
    parser.add_argument('--num-show', type=int, default=6,
                        help='test faces in the pictures')
    parser.add_argument('--threads', type=int,
                        default=max(1, (os.cpu_count() or 2) - 1),
                        help='torch CPU threads (default: all cores but one, '
                        'which loads the data; on a busy machine more threads '
                        'than free cores slow training down several times)')
    parser.add_argument('--strict', action='store_true',
                        help='exit with status 1 unless DHLN reaches NME <= '
                        '0.5 x mean shape and PSNR above bicubic')
    return parser.parse_args(argv)


# ---------------------------------------------------------------- config
def phase_hook_cfg(cfg: Config) -> dict:
    for hook in cfg.get('custom_hooks', []):
        if hook.get('type') == 'SHTPhaseHook':
            return hook
    raise ValueError(f'{cfg.filename}: no SHTPhaseHook in custom_hooks')


def set_phase_iters(cfg: Config, iters: Sequence[int]) -> None:
    """Give the four phases new lengths; checkpoints every gcd of them, and
    the loss log at least once per phase (for the loss curves)."""
    if len(iters) != 4 or min(iters) < 1:
        raise ValueError(f'--phase-iters needs 4 positive ints, got {iters}')
    phases = phase_hook_cfg(cfg)['phases']
    for phase, num in zip(phases, iters):
        phase['iters'] = int(num)
    cfg.train_cfg.max_iters = int(sum(iters))
    cfg.default_hooks.checkpoint.interval = reduce(math.gcd, iters)
    logger = cfg.default_hooks.logger
    logger.interval = min(logger.get('interval', 50), min(iters))
    for sched in cfg.param_scheduler.get('generator', []):
        if sched.get('type') == 'MultiStepLR':
            sched['milestones'] = [int(iters[0] + iters[1])]


def phase_ends(cfg: Config) -> List[Tuple[str, int]]:
    """(phase name, iteration count at its end) for every phase."""
    ends, total = [], 0
    for phase in phase_hook_cfg(cfg)['phases']:
        total += int(phase['iters'])
        ends.append((phase['name'], total))
    interval = cfg.default_hooks.checkpoint.interval
    bad = [end for _, end in ends if end % interval]
    if bad:
        raise ValueError(f'{cfg.filename}: phase ends {bad} do not fall on '
                         f'the checkpoint interval {interval}')
    return ends


def checkpoint_path(work_dir: str, end: int) -> str:
    return osp.join(work_dir, f'iter_{end}.pth')


# -------------------------------------------------------------- baselines
def normalised_landmarks(keypoints: np.ndarray, center: np.ndarray,
                         scale: np.ndarray) -> np.ndarray:
    """Landmarks (K, 2) in the unit square of an unrotated face crop."""
    return (keypoints - center) / scale + 0.5


def mean_shape(dataset) -> np.ndarray:
    """Mean of the training landmarks in the normalised crop, (K, 2).

    Each face is cropped as the pipelines crop it (``GetBBoxCenterScale``:
    the box padded by 1.25, no rotation).
    """
    shapes = []
    for idx in range(len(dataset)):
        info = dataset.get_data_info(idx)
        if not info.get('labeled', True):
            continue
        center, scale = bbox_xyxy2cs(info['bbox'], padding=1.25)
        shapes.append(
            normalised_landmarks(info['keypoints'][0], center[0], scale[0]))
    if not shapes:
        raise ValueError('mean_shape: the training set has no labeled face')
    return np.mean(shapes, axis=0)


def hr_rgb01(inputs: Sequence[torch.Tensor]) -> torch.Tensor:
    """Dataloader HR crops (uint8 BGR (3, H, W)) -> (N, 3, H, W) RGB [0, 1].
    """
    return torch.stack([img.flip(0) for img in inputs]).float() / 255.


def training_faces(cfg: Config):
    """The labeled training faces of the demo (no pipeline)."""
    pairs = cfg.train_dataloader.dataset
    return DATASETS.build(dict(pairs['dataset'], pipeline=[]))


# ------------------------------------------------------------- evaluation
def crop_points(points: np.ndarray, meta: dict) -> np.ndarray:
    """Image-space landmarks -> pixels of the (unrotated) HR crop."""
    size = np.asarray(meta['input_size'], dtype=np.float64)
    norm = normalised_landmarks(points, np.asarray(meta['input_center']),
                                np.asarray(meta['input_scale']))
    return norm * size


def per_image_nme(preds: np.ndarray, gts: np.ndarray) -> np.ndarray:
    """NME_io of each image (fraction), shape (N,)."""
    return face_nme(preds, gts, interocular(gts, *OUTER_EYE_CORNERS))


def evaluate(predict, batches: List[dict], evaluator_cfg, dataset_meta: dict,
             desc: str, num_show: int = 0
             ) -> Tuple[Dict[str, float], np.ndarray, List[FaceRecord]]:
    """Run ``predict(batch) -> data samples`` over the test batches.

    Returns:
        tuple: metrics of ``evaluator_cfg``, per-image NME_io (N,), and a
        :class:`FaceRecord` for each of the first ``num_show`` faces.
    """
    evaluator = Evaluator(evaluator_cfg)
    evaluator.dataset_meta = dataset_meta
    preds, gts, records = [], [], []
    num_faces = 0
    for batch in tqdm(batches, desc=desc, unit='batch', leave=False):
        num_faces += len(batch['inputs'])
        samples = predict(batch)
        evaluator.process(samples, batch)
        for hr, sample in zip(batch['inputs'], samples):
            pred = sample.pred_instances.keypoints[0]
            gt = sample.gt_instances.keypoints[0]
            preds.append(pred)
            gts.append(gt)
            if len(records) < num_show:
                meta = sample.metainfo
                heatmaps = (sample.pred_fields.heatmaps.cpu().numpy()
                            if 'pred_fields' in sample else None)
                face = (sample.pred_face.img.cpu().numpy()
                        if 'pred_face' in sample else None)
                records.append(
                    FaceRecord(
                        hr=hr.flip(0).permute(1, 2, 0).numpy(),
                        sr=face,
                        heatmaps=heatmaps,
                        pred=crop_points(pred, meta),
                        gt=crop_points(gt, meta)))
    metrics = evaluator.evaluate(num_faces)
    nme = per_image_nme(np.stack(preds), np.stack(gts))
    return metrics, nme, records


def baseline_predictor(shape: np.ndarray, lr_size: int):
    """Predictions of the two baselines: mean-shape landmarks and the
    bicubic up-sampled LR face."""

    def predict(batch: dict) -> List[PoseDataSample]:
        hr = hr_rgb01(batch['inputs'])
        bicubic = bicubic_degrade(hr, lr_size, hr.shape[-1])
        samples = []
        for sample, face in zip(batch['data_samples'], bicubic):
            center = np.asarray(sample.metainfo['input_center'])
            scale = np.asarray(sample.metainfo['input_scale'])
            out = sample.clone()
            out.pred_instances = InstanceData(
                keypoints=((shape - 0.5) * scale + center)[None],
                keypoint_scores=np.ones((1, len(shape))))
            out.pred_face = PixelData(img=face)
            samples.append(out)
        return samples

    return predict


def model_predictor(model):

    @torch.no_grad()
    def predict(batch: dict) -> List[PoseDataSample]:
        # predictions are added to the samples: keep the cached batch clean
        samples = [sample.clone() for sample in batch['data_samples']]
        return model.test_step(dict(batch, data_samples=samples))

    return predict


def metric_row(name: str, metrics: Dict[str, float],
               threshold: float) -> Dict[str, float]:
    return dict(
        name=name,
        NME_io=metrics.get('NME_io', float('nan')),
        AUC=metrics.get(f'AUC_io@{threshold:g}', float('nan')),
        FR=metrics.get(f'FR_io@{threshold:g}', float('nan')),
        PSNR=metrics.get('PSNR', float('nan')),
        SSIM=metrics.get('SSIM', float('nan')))


def format_table(rows: List[dict], threshold: float) -> str:
    head = ('| model | NME_io (%) | AUC@{t} (%) | FR@{t} (%) | PSNR (dB) | '
            'SSIM |'.format(t=f'{threshold:g}'))
    lines = [head, '|---|---:|---:|---:|---:|---:|']

    def cell(value: float, digits: int) -> str:
        return '-' if math.isnan(value) else f'{value:.{digits}f}'

    for row in rows:
        cells = [cell(row[k], 2) for k in ('NME_io', 'AUC', 'FR', 'PSNR')]
        lines.append(f"| {row['name']} | " + ' | '.join(cells) +
                     f" | {cell(row['SSIM'], 4)} |")
    return '\n'.join(lines)


def acceptance(rows: List[dict]) -> Tuple[bool, List[str]]:
    """The demo's claims on the model it ends with (the last phase):
    NME <= 0.5 x mean shape, PSNR > bicubic."""
    by_name = {row['name']: row for row in rows}
    mean, bicubic = by_name['mean shape'], by_name['bicubic']
    final = rows[-1]
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


# ------------------------------------------------------------------- main
def train(cfg: Config, ends: List[Tuple[str, int]], force: bool) -> float:
    """Train all phases unless every phase-end checkpoint exists."""
    missing = [e for _, e in ends
               if not osp.isfile(checkpoint_path(cfg.work_dir, e))]
    if not (missing or force):
        print(f'Every phase checkpoint is in {cfg.work_dir}: evaluating '
              'them (--force retrains).')
        return 0.0
    start = time.time()
    # mmengine reuses a visualizer instance of the same name (the runner's
    # timestamp, to the second), and with it an older run's log folder; a
    # name of our own keeps this run's scalars (the loss curves) in its own.
    cfg.visualizer.name = f'sht_demo_{os.getpid()}_{time.time_ns()}'
    Runner.from_cfg(cfg).train()
    return time.time() - start


def main(argv: Optional[List[str]] = None) -> int:
    args = parse_args(argv)
    start = time.time()
    torch.set_num_threads(args.threads)
    cfg = Config.fromfile(args.config)
    cfg.work_dir = osp.abspath(args.work_dir)
    if args.phase_iters:
        set_phase_iters(cfg, args.phase_iters)
    ends = phase_ends(cfg)
    init_default_scope(cfg.get('default_scope', 'mmpose'))

    train_time = train(cfg, ends, args.force)
    torch.manual_seed(0)

    model = MODELS.build(cfg.model)
    model.eval()
    loader = Runner.build_dataloader(cfg.test_dataloader)
    dataset = loader.dataset
    threshold = next(m['thresholds'][0] for m in cfg.test_evaluator
                     if m['type'] == 'FaceLandmarkMetric')
    shape = mean_shape(training_faces(cfg))

    rows, curves, shown = [], {}, {}
    # the test faces are decoded once and kept (600 crops of 64x64 px)
    batches = list(tqdm(loader, desc='test faces', unit='batch'))
    print('Evaluating the baselines and the phase checkpoints on '
          f'{len(dataset)} test faces')
    metrics, nme, base_records = evaluate(
        baseline_predictor(shape, cfg.model.lr_size), batches,
        cfg.test_evaluator, dataset.metainfo, 'baselines', args.num_show)
    # one pass gives both: mean-shape landmarks, bicubic faces
    rows.append(dict(metric_row('mean shape', metrics, threshold),
                     PSNR=math.nan, SSIM=math.nan))
    rows.append(dict(metric_row('bicubic', metrics, threshold),
                     NME_io=math.nan, AUC=math.nan, FR=math.nan))
    curves['mean shape'] = nme
    for name, end in ends:
        with warnings.catch_warnings():
            # the checkpoints this run wrote itself; torch 2.5 warns about
            # pickle loading on every mmengine load
            warnings.filterwarnings('ignore', message='.*weights_only=False',
                                    category=FutureWarning)
            load_checkpoint(model, checkpoint_path(cfg.work_dir, end),
                            map_location='cpu', logger='silent')
        metrics, nme, records = evaluate(
            model_predictor(model), batches, cfg.test_evaluator,
            dataset.metainfo, f'{name} (iter {end})', args.num_show)
        rows.append(metric_row(PHASE_TITLES.get(name, name), metrics,
                               threshold))
        curves[PHASE_TITLES.get(name, name)] = nme
        shown[name] = records

    out = cfg.work_dir
    table = format_table(rows, threshold)
    ok, checks = acceptance(rows)
    figures = [
        plot_face_grid(base_records, shown[ends[0][0]], shown[ends[-1][0]],
                       cfg.model.lr_size, osp.join(out, 'faces.png'),
                       crop_border=cfg.hr_size // cfg.model.lr_size),
        plot_heatmaps(shown[ends[-1][0]], osp.join(out, 'heatmaps.png')),
        plot_fptn_transfers(model, cfg, osp.join(out, 'fptn_transfers.png')),
        plot_ced_curves(curves, threshold, osp.join(out, 'ced.png')),
        plot_loss_curves(out, ends, osp.join(out, 'losses.png')),
    ]
    with open(osp.join(out, 'results.json'), 'w') as f:
        json.dump(dict(rows=rows, checks=checks, train_seconds=train_time,
                       total_seconds=time.time() - start,
                       phase_ends=ends), f, indent=2)
    with open(osp.join(out, 'results.md'), 'w') as f:
        f.write(table + '\n\n' + '\n'.join(f'- {c}' for c in checks) + '\n')

    print(f'\nSynthetic 300W test set ({len(dataset)} faces, '
          f'{cfg.model.lr_size}px LR -> {cfg.codec.input_size[0]}px HR):\n')
    print(table)
    print()
    for line in checks:
        print(line)
    print('\nPictures:\n' + '\n'.join(f'  {p}' for p in figures if p))
    print(f'Training {train_time / 60:.1f} min, total '
          f'{(time.time() - start) / 60:.1f} min.')
    return 1 if (args.strict and not ok) else 0


if __name__ == '__main__':
    sys.exit(main())
