"""Train, evaluate and picture the SHT demo on synthetic faces (CPU).

Runs the demo's configs (``configs/sht/demo/``) as separate mmengine runs
(``sht.experiments``): phases 1-2 of the recipe, then phases 3-4 twice from
the same phase-2 checkpoint, with FPTN (SHT) and without it (the
equal-budget control), plus the SHN and FHS baselines at phase 1's budget.
Prints one table (NME_io, AUC, FR, PSNR, SSIM) beside the mean-shape and
bicubic baselines, FPTN's transfers against copying the condition face, and
the paired per-face comparison of SHT with its control.

Everything lands in ``--work-dir`` (default ``work_dirs/demo``): one folder
per run, ``results.json`` / ``results.md`` and the pictures (``faces.png``,
``heatmaps.png``, ``fptn_transfers.png``, ``ced.png``, ``losses.png``). Runs
whose checkpoints exist are only evaluated; ``--force`` retrains.

Example:
    python tools/misc/run_demo.py                     # the README demo
    python tools/misc/run_demo.py --phase-iters 4 2 2 2 --work-dir /tmp/d
"""
import argparse
import json
import os
import os.path as osp
import sys
import time
from typing import List, Optional

ROOT = osp.abspath(osp.join(osp.dirname(__file__), '..', '..'))
sys.path.insert(0, osp.join(ROOT, 'projects'))
sys.path.insert(0, osp.dirname(osp.abspath(__file__)))
import sht  # noqa: E402,F401  (before mmengine: hides a torch notice)

import demo_figures as figs  # noqa: E402
from sht.engine import planned_iters  # noqa: E402
from sht.experiments import phase_ends, plan_from_args  # noqa: E402
from sht.experiments.report import (demo_checks, demo_table,  # noqa: E402
                                    paired_table, train_and_evaluate,
                                    transfer_table)


def parse_args(argv: Optional[List[str]] = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        description='Train and evaluate the SHT demo on synthetic faces.')
    parser.add_argument('--config-dir', default=osp.join(
        ROOT, 'configs', 'sht', 'demo'), help='folder of the demo configs')
    parser.add_argument('--work-dir', default='work_dirs/demo',
                        help='runs, table and pictures')
    parser.add_argument('--force', action='store_true',
                        help='retrain even when the checkpoints exist')
    parser.add_argument('--phase-iters', type=int, nargs=4,
                        metavar=('DHLN', 'FPTN', 'SHT', 'SHT_WEAK'),
                        help="phase lengths (default: the configs')")
    parser.add_argument('--seed', type=int, default=0,
                        help='seed of the fine-tuning runs')
    parser.add_argument('--no-baselines', action='store_true',
                        help='skip the SHN and FHS runs')
    parser.add_argument('--num-show', type=int, default=6,
                        help='test faces in the pictures')
    parser.add_argument('--threads', type=int,
                        default=max(1, (os.cpu_count() or 2) - 1),
                        help='torch CPU threads (default: all cores but one, '
                        'which loads the data)')
    parser.add_argument('--strict', action='store_true',
                        help='exit with status 1 unless the final model '
                        'reaches NME <= 0.5 x mean shape and PSNR above '
                        'bicubic')
    return parser.parse_args(argv)


def main(argv: Optional[List[str]] = None) -> int:
    args = parse_args(argv)
    start = time.time()
    plan = plan_from_args(args, seeds=[args.seed],
                          baselines=not args.no_baselines)
    seconds, data, results = train_and_evaluate(plan, args.force,
                                                args.num_show)
    pre = plan.config('pretrain')
    rows, base = demo_table(plan, data, results, args.num_show)
    tables = [rows['markdown'], transfer_table(results['transfer']),
              paired_table(rows['paired'])]
    ok, checks = demo_checks(rows['rows'])

    out, seed = plan.work_dir, args.seed
    sht_cfg = plan.config('sht', seed)
    pre_iters = planned_iters(pre.train_cfg)
    pictures = [
        figs.plot_face_grid(base['records'], results['records']['dhln'],
                            results['records'][f'sht/sht_weak/seed{seed}'],
                            pre.model.lr_size, osp.join(out, 'faces.png'),
                            crop_border=pre.hr_size // pre.model.lr_size),
        figs.plot_heatmaps(results['records'][f'sht/sht_weak/seed{seed}'],
                           osp.join(out, 'heatmaps.png')),
        figs.plot_fptn_transfers(results['fptn_model'], data['pairs'][0],
                                 osp.join(out, 'fptn_transfers.png')),
        figs.plot_ced_curves(rows['curves'], data['threshold'],
                             osp.join(out, 'ced.png')),
        figs.plot_loss_curves(
            [(pre.work_dir, 0), (sht_cfg.work_dir, pre_iters)],
            phase_ends(pre) + [(n, e + pre_iters)
                               for n, e in phase_ends(sht_cfg)],
            osp.join(out, 'losses.png')),
    ]
    summary = dict(rows=rows['rows'], transfer=results['transfer'],
                   paired=rows['paired'], checks=checks,
                   train_seconds=seconds, total_seconds=time.time() - start)
    with open(osp.join(out, 'results.json'), 'w') as f:
        json.dump(summary, f, indent=2)
    with open(osp.join(out, 'results.md'), 'w') as f:
        f.write('\n\n'.join(tables) + '\n\n' +
                '\n'.join(f'- {c}' for c in checks) + '\n')
    print(f"\nSynthetic 300W test set ({data['num_faces']} faces, "
          f'{pre.model.lr_size}px LR -> {pre.hr_size}px HR):\n')
    print('\n\n'.join(tables) + '\n')
    print('\n'.join(checks))
    print('\nPictures:\n' + '\n'.join(f'  {p}' for p in pictures if p))
    print(f'Training {sum(seconds.values()) / 60:.1f} min, total '
          f'{(time.time() - start) / 60:.1f} min.')
    return 1 if (args.strict and not ok) else 0


if __name__ == '__main__':
    sys.exit(main())
