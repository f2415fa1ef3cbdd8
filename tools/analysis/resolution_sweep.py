# Landmark error and hallucination quality against the input face size (the
# idea of the paper's Fig. 1).
#
# For every size s, the HR test crops are degraded by bicubic resampling to
# s x s and resized bicubically back to the network's input size (64), then
# the model predicts landmarks and the hallucinated face. Concretely the
# DHLN estimator's `lr_size` becomes s and `lr_upsample_to` the network input
# size (`lr_upsample_to or lr_size` of the config). Sizes above the HR crop
# (e.g. 256 in the 128x128 CelebA/Helen setting) are skipped.
#
# Writes <out-dir>/resolution_sweep.json (all metrics per size, every subset)
# and <out-dir>/resolution_sweep.png (NME and PSNR against the size).
import argparse
import json
import os
import os.path as osp
import sys
from typing import Dict, List, Optional, Sequence

sys.path.insert(0, osp.join(osp.dirname(osp.abspath(__file__)), '..', '..',
                            'projects'))
import sht  # noqa: E402,F401  (before mmengine: hides a torch notice)

import torch  # noqa: E402
from mmengine.config import Config, DictAction  # noqa: E402
from mmengine.evaluator import Evaluator  # noqa: E402
from mmengine.runner import Runner  # noqa: E402
from tqdm import tqdm  # noqa: E402
from mmpose.apis import init_model  # noqa: E402
from mmpose.registry import METRICS  # noqa: E402

DEFAULT_SIZES = (16, 24, 32, 48, 64, 128, 256)


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        description='Evaluate a DHLN / SHT model on faces degraded to '
        'several input sizes')
    parser.add_argument('config', help='config file path')
    parser.add_argument('checkpoint', help='checkpoint file')
    parser.add_argument(
        '--sizes',
        type=int,
        nargs='+',
        default=list(DEFAULT_SIZES),
        help='LR face sizes in pixels (those above the HR crop are skipped)')
    parser.add_argument(
        '--out-dir',
        default='work_dirs/resolution_sweep',
        help='folder of the JSON and PNG results')
    parser.add_argument(
        '--device', default='cuda:0' if torch.cuda.is_available() else 'cpu')
    parser.add_argument(
        '--cfg-options',
        nargs='+',
        action=DictAction,
        help='override settings in the config, key=value pairs')
    return parser.parse_args()


def sweep_metrics(cfg: Config) -> List[dict]:
    """The config's test metrics, with a landmark and a hallucination metric.

    ``DumpResults`` entries are dropped; a ``FaceLandmarkMetric`` (``'io'``)
    and a ``HallucinationMetric`` are added when the config has none.
    """
    metrics = cfg.get('test_evaluator', None) or []
    if isinstance(metrics, dict) and 'metrics' in metrics:
        metrics = metrics['metrics']
    if isinstance(metrics, dict):
        metrics = [metrics]
    metrics = [
        dict(m) for m in metrics
        if str(m.get('type', '')).split('.')[-1] != 'DumpResults'
    ]
    types = {str(m.get('type', '')).split('.')[-1] for m in metrics}
    if 'FaceLandmarkMetric' not in types:
        metrics.append(dict(type='FaceLandmarkMetric', norm_modes=('io', )))
    if 'HallucinationMetric' not in types:
        metrics.append(dict(type='HallucinationMetric'))
    for m in metrics:
        m.pop('ced_dir', None)
    return metrics


def set_input_size(model: torch.nn.Module, lr_size: int,
                   net_size: int) -> None:
    """Make the estimator degrade its HR input to ``lr_size`` and resize
    the result (bicubic) to the network input ``net_size``."""
    model.lr_size = int(lr_size)
    model.lr_upsample_to = None if lr_size == net_size else int(net_size)


def evaluate_at_size(model: torch.nn.Module, dataloader, evaluator: Evaluator,
                     size: int, net_size: int) -> Dict[str, float]:
    """All test metrics of ``model`` with faces degraded to ``size``."""
    set_input_size(model, size, net_size)
    for data_batch in tqdm(
            dataloader, desc=f'{size:>4d} px', leave=False, unit='batch'):
        with torch.no_grad():
            outputs = model.test_step(data_batch)
        evaluator.process(data_samples=outputs, data_batch=data_batch)
    return evaluator.evaluate(len(dataloader.dataset))


def hr_size_of(dataloader) -> int:
    """Side of the HR crops the test pipeline produces."""
    data_batch = next(iter(dataloader))
    return int(data_batch['inputs'][0].shape[-1])


def plot_sweep(results: Dict[int, Dict[str, float]], nme_key: str,
               out_file: str, title: Optional[str] = None) -> str:
    """Plot NME (and PSNR when measured) against the input size (PNG)."""
    import matplotlib
    matplotlib.use('Agg')
    import matplotlib.pyplot as plt

    sizes = sorted(results)
    panels = [(nme_key, f'{nme_key} (%)')]
    if all('PSNR' in results[s] for s in sizes):
        panels.append(('PSNR', 'PSNR on Y (dB)'))
    fig, axes = plt.subplots(
        1, len(panels), figsize=(5 * len(panels), 4), squeeze=False)
    try:
        for ax, (key, label) in zip(axes[0], panels):
            ax.plot(sizes, [results[s][key] for s in sizes], marker='o')
            ax.set_xscale('log', base=2)
            ax.set_xticks(sizes)
            ax.set_xticklabels([str(s) for s in sizes])
            ax.set_xlabel('input face size (pixels)')
            ax.set_ylabel(label)
            ax.grid(True, alpha=0.3)
        if title:
            fig.suptitle(title)
        fig.tight_layout()
        fig.savefig(out_file, dpi=100)
    finally:
        plt.close(fig)
    return out_file


def format_sweep_table(results: Dict[int, Dict[str, float]]) -> str:
    """NME, PSNR and SSIM of the whole test set, one row per input size."""
    sizes = sorted(results)
    keys = [
        k for k in results[sizes[0]]
        if '/' not in k and (k.startswith('NME_') or k in ('PSNR', 'SSIM'))
    ]
    rows = [['size'] + keys] + [[f'{s}x{s}'] +
                                [f'{results[s][k]:.4f}' for k in keys]
                                for s in sizes]
    widths = [max(len(r[i]) for r in rows) for i in range(len(rows[0]))]
    return '\n'.join('  '.join(v.rjust(w) for v, w in zip(r, widths))
                     for r in rows)


def run_sweep(config: str,
              checkpoint: str,
              sizes: Sequence[int] = DEFAULT_SIZES,
              out_dir: str = 'work_dirs/resolution_sweep',
              device: str = 'cpu',
              cfg_options: Optional[dict] = None) -> Dict[int, dict]:
    """Evaluate ``checkpoint`` at every input size; write JSON and PNG.

    Returns:
        dict[int, dict]: Metrics (flat keys, every subset) per size.
    """
    cfg = Config.fromfile(config)
    if cfg_options:
        cfg.merge_from_dict(cfg_options)
    model = init_model(cfg, checkpoint, device=device)
    for attr in ('lr_size', 'lr_upsample_to'):
        if not hasattr(model, attr):
            raise ValueError(
                f'{config}: the model ({type(model).__name__}) has no '
                f'`{attr}`; the sweep needs a DHLN-based estimator')
    net_size = model.lr_upsample_to or model.lr_size
    dataloader = Runner.build_dataloader(cfg.test_dataloader)
    model.dataset_meta = dataloader.dataset.metainfo
    evaluator = Evaluator([METRICS.build(m) for m in sweep_metrics(cfg)])
    evaluator.dataset_meta = dataloader.dataset.metainfo
    hr_size = hr_size_of(dataloader)
    kept = sorted({int(s) for s in sizes if 0 < int(s) <= hr_size})
    skipped = sorted({int(s) for s in sizes} - set(kept))
    if skipped:
        print(f'sizes {skipped} skipped: larger than the {hr_size}x{hr_size} '
              'HR crop')
    if not kept:
        raise ValueError(f'no size in {list(sizes)} fits the {hr_size}x'
                         f'{hr_size} HR crop')
    original = (model.lr_size, model.lr_upsample_to)
    results = {}
    try:
        for size in tqdm(kept, desc='input sizes', unit='size'):
            results[size] = evaluate_at_size(model, dataloader, evaluator,
                                             size, net_size)
    finally:
        model.lr_size, model.lr_upsample_to = original
    nme_keys = [k for k in results[kept[0]]
                if k.startswith('NME_') and '/' not in k]
    if not nme_keys:
        raise ValueError('the test metrics gave no NME (are the test faces '
                         'labeled?)')
    os.makedirs(out_dir, exist_ok=True)
    json_file = osp.join(out_dir, 'resolution_sweep.json')
    with open(json_file, 'w') as f:
        json.dump(
            dict(
                config=config,
                checkpoint=checkpoint,
                hr_size=hr_size,
                network_input_size=net_size,
                results={str(s): results[s]
                         for s in kept}),
            f,
            indent=2)
    png_file = plot_sweep(
        results, nme_keys[0], osp.join(out_dir, 'resolution_sweep.png'),
        title=f'{osp.basename(config)}: HR {hr_size}px, network input '
        f'{net_size}px')
    print(format_sweep_table(results))
    print(f'results (every subset) written to {json_file}; plot: {png_file}')
    return results


def main() -> None:
    args = parse_args()
    run_sweep(args.config, args.checkpoint, args.sizes, args.out_dir,
              args.device, args.cfg_options)


if __name__ == '__main__':
    main()
