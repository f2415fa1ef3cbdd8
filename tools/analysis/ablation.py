"""SHT against its equal-budget control over several seeds (CPU demo).

Trains (unless their checkpoints exist) the demo's fine-tuning runs for each
seed, SHT (phases 3-4 with FPTN) and the control (the same phases without
FPTN), all from the same phase-2 checkpoint, evaluates them on the synthetic
300W test set and writes ``ablation.json`` and ``ablation.md``: NME_io
mean +- std over seeds and the paired per-face difference SHT - control
with a 95% bootstrap interval. The default work dir is the demo's, so the
demo's phase-2 checkpoint and seed-0 runs are reused.

Example:
    python tools/analysis/ablation.py --seeds 0 1 2
"""
import argparse
import json
import os
import os.path as osp
import sys
import time

ROOT = osp.abspath(osp.join(osp.dirname(__file__), '..', '..'))
sys.path.insert(0, osp.join(ROOT, 'projects'))
import sht  # noqa: E402,F401  (before mmengine: hides a torch notice)

from sht.experiments import paired_rows, plan_from_args  # noqa: E402
from sht.experiments.report import (paired_table,  # noqa: E402
                                    train_and_evaluate)


def parse_args(argv=None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    parser.add_argument('--config-dir', default=osp.join(
        ROOT, 'configs', 'sht', 'demo'), help='folder of the demo configs')
    parser.add_argument('--work-dir', default='work_dirs/demo',
                        help='runs and results (default: the demo\'s)')
    parser.add_argument('--seeds', type=int, nargs='+', default=[0, 1, 2],
                        help='seeds of the fine-tuning runs')
    parser.add_argument('--phase-iters', type=int, nargs=4,
                        metavar=('DHLN', 'FPTN', 'SHT', 'SHT_WEAK'),
                        help="phase lengths (default: the configs')")
    parser.add_argument('--threads', type=int,
                        default=max(1, (os.cpu_count() or 2) - 1),
                        help='torch CPU threads')
    return parser.parse_args(argv)


def main(argv=None) -> int:
    args = parse_args(argv)
    start = time.time()
    plan = plan_from_args(args, seeds=args.seeds, baselines=False)
    seconds, data, results = train_and_evaluate(plan)
    paired = paired_rows(results['nme'], args.seeds)
    table = paired_table(paired)
    summary = dict(seeds=args.seeds, paired=paired,
                   rows=results['rows'],
                   transfer=results['transfer'], train_seconds=seconds,
                   total_seconds=time.time() - start)
    out = plan.work_dir
    with open(osp.join(out, 'ablation.json'), 'w') as f:
        json.dump(summary, f, indent=2)
    with open(osp.join(out, 'ablation.md'), 'w') as f:
        f.write(table + '\n')
    print(f"\nSHT vs its equal-budget control, {data['num_faces']} test "
          f'faces, seeds {args.seeds} (NME_io, %):\n')
    print(table)
    print(f'\nWritten: {osp.join(out, "ablation.json")}, '
          f'{osp.join(out, "ablation.md")} '
          f'({(time.time() - start) / 60:.1f} min)')
    return 0


if __name__ == '__main__':
    sys.exit(main())
