"""The prepared GPU check (``tools/analysis/gpu_check.sh``).

On a machine with one CUDA GPU, in a few minutes:

- inference FPS of SHN and DHLN-M (Conv+BN folded, channels-last; the
  estimator's ``'tensor'`` forward on 256x256 HR crops) at batch 1 and 16,
  fp32 and AMP (``torch.autocast`` float16), interleaved; the DHLN / SHN
  FPS ratio beside the paper's 80 / 120;
- the SHT-M training step at the paper's 8 pairs (both optimizers) with and
  without activation checkpointing (``with_cp``), fp32 and AMP (mmengine's
  ``AmpOptimWrapper``): step time and peak memory
  (``torch.cuda.max_memory_allocated``); a step that runs out of memory is
  recorded as such.

Everything goes to a JSON file. ``--dry-run`` writes the plan only (no
model is built; for checking the script anywhere); ``--device cpu`` runs
the same measurements on the CPU (AMP inference as bfloat16 autocast; AMP
training needs CUDA and is skipped), meant for tiny configs (``--shn``,
``--dhln``, ``--sht``) in tests. A soft time budget (``--budget-s``)
skips what is left once it is spent, so the check ends in time.
"""
import argparse
import json
import os
import os.path as osp
import platform
import time
from typing import Dict, List, Optional

import torch

from ..models.backbones.checkpointing import set_with_cp
from .benchmarking import interleaved

REPO_ROOT = osp.dirname(osp.dirname(osp.dirname(osp.dirname(
    osp.abspath(__file__)))))
PAPER_FPS = dict(DHLN=80.0, SHN=120.0)  # Sec. 4.3, RTX 4090


def _cfg(*parts: str) -> str:
    return osp.join(REPO_ROOT, 'configs', 'sht', *parts)


def parse_args(argv: Optional[List[str]] = None) -> argparse.Namespace:
    p = argparse.ArgumentParser(
        prog='gpu_check.sh', description=__doc__.split('\n')[0])
    p.add_argument('--device', default='cuda', help="'cuda' (default) or "
                   "'cpu' (tiny configs, tests)")
    p.add_argument('--out', default=osp.join(REPO_ROOT, 'work_dirs',
                                             'gpu_check', 'gpu_check.json'))
    p.add_argument('--dry-run', action='store_true',
                   help='write the plan only; build and run nothing')
    p.add_argument('--shn', default=_cfg('300w', 'SHN_300W.py'))
    p.add_argument('--dhln', default=_cfg('300w', 'DHLN-M_300W.py'))
    p.add_argument('--sht', default=_cfg('300w', 'SHT-M_300W.py'))
    p.add_argument('--batch-sizes', type=int, nargs='+', default=[1, 16])
    p.add_argument('--pairs', type=int, default=8)
    p.add_argument('--repeats', type=int, default=20,
                   help='timed inference rounds (medians)')
    p.add_argument('--train-repeats', type=int, default=3)
    p.add_argument('--budget-s', type=float, default=420.0,
                   help='soft limit: skip what is left after this long')
    p.add_argument('--skip', nargs='*', default=[],
                   choices=['inference', 'train'])
    args = p.parse_args(argv)
    if min(args.batch_sizes) < 1 or args.pairs < 1 or args.repeats < 1 \
            or args.train_repeats < 0:
        p.error('batch sizes, --pairs and --repeats must be >= 1, '
                '--train-repeats >= 0')
    if not args.dry_run:
        if args.device.startswith('cuda') and not torch.cuda.is_available():
            p.error('no CUDA device here (torch.cuda.is_available() is '
                    'False); use --dry-run, or --device cpu with tiny '
                    'configs')
    return args


def plan(args: argparse.Namespace) -> dict:
    """What the check measures, as written to the JSON."""
    return dict(
        inference=[dict(model=m, batch=b, precision=p)
                   for b in args.batch_sizes for m in ('SHN', 'DHLN-M')
                   for p in ('fp32', 'amp')],
        train=[dict(model='SHT-M', pairs=args.pairs, precision=p,
                    with_cp=cp) for p in ('fp32', 'amp')
               for cp in (False, True)],
        configs=dict(shn=args.shn, dhln=args.dhln, sht=args.sht))


def _autocast(device: str, amp: bool):
    if not amp:
        return torch.autocast(device.split(':')[0], enabled=False)
    if device.startswith('cuda'):
        return torch.autocast('cuda', dtype=torch.float16)
    return torch.autocast('cpu', dtype=torch.bfloat16)


def check_inference(args: argparse.Namespace) -> dict:
    """FPS of SHN and DHLN-M, fp32 and AMP, interleaved per batch size."""
    from ..deployment.onnx_export import load_dhln
    from ..models.inference_optim import optimize_for_inference
    models = {}
    for label, path in (('SHN', args.shn), ('DHLN-M', args.dhln)):
        model = optimize_for_inference(load_dhln(path, None))
        models[label] = (model.to(args.device),
                         int(model.head.decoder.input_size[1]))
    out = {}
    for batch in args.batch_sizes:
        calls = {}
        for label, (model, side) in models.items():
            x = torch.rand(batch, 3, side, side, device=args.device)
            for prec in ('fp32', 'amp'):

                def call(m=model, x=x, amp=prec == 'amp') -> None:
                    with _autocast(args.device, amp):
                        m(x, None, mode='tensor')

                calls[f'{label}/{prec}'] = call
        with torch.no_grad():
            times = interleaved(calls, args.repeats, 2, args.device,
                                f'inference batch {batch}')
        rows = {k: dict(fps=batch / t['median_s'], median_s=t['median_s'],
                        peak_mib=t['peak_mib']) for k, t in times.items()}
        for prec in ('fp32', 'amp'):
            rows[f'DHLN-M/SHN {prec}'] = dict(
                ratio=rows[f'DHLN-M/{prec}']['fps'] /
                rows[f'SHN/{prec}']['fps'],
                paper=PAPER_FPS['DHLN'] / PAPER_FPS['SHN'])
        out[str(batch)] = rows
    return out


def _oom_errors() -> tuple:
    errors = [MemoryError]
    if hasattr(torch.cuda, 'OutOfMemoryError'):
        errors.append(torch.cuda.OutOfMemoryError)
    return tuple(errors)


def check_train(args: argparse.Namespace, started: float) -> dict:
    """SHT-M steps at ``--pairs`` pairs, with / without with_cp, fp32 / AMP.

    One model per precision (AMP: ``AmpOptimWrapper``); ``with_cp`` is
    switched between the interleaved calls of that model.
    """
    from .train_benchmark import NO_VGG, build_trainable, \
        synthetic_train_batch
    out = {}
    for prec in ('fp32', 'amp'):
        keys = [f'{prec}/cp={cp}' for cp in (False, True)]
        if time.perf_counter() - started > args.budget_s:
            out.update({k: dict(skipped='time budget spent') for k in keys})
            continue
        if prec == 'amp' and not args.device.startswith('cuda'):
            out.update({k: dict(skipped='AMP training needs CUDA')
                        for k in keys})
            continue
        options = dict(NO_VGG)
        if prec == 'amp':
            options.update({
                'optim_wrapper.generator.type': 'AmpOptimWrapper',
                'optim_wrapper.discriminator.type': 'AmpOptimWrapper'})
        cfg, model, optim = build_trainable(args.sht, args.device, options)
        model.train_mode = 'sht'
        batch = synthetic_train_batch(cfg, 2 * args.pairs)
        for cp, key in zip((False, True), keys):
            set_with_cp(model, cp)
            try:
                t = interleaved({key: lambda: model.train_step(batch, optim)},
                                args.train_repeats, 1, args.device,
                                f'SHT step {key}')[key]
                out[key] = dict(step_s=t['median_s'], peak_mib=t['peak_mib'],
                                pairs=args.pairs,
                                pairs_per_s=args.pairs / t['median_s'])
            except _oom_errors() as err:
                out[key] = dict(oom=str(err).split('\n')[0][:200])
                if args.device.startswith('cuda'):
                    torch.cuda.empty_cache()
        del model, optim
        if args.device.startswith('cuda'):
            torch.cuda.empty_cache()
    for prec in ('fp32', 'amp'):
        a, b = out.get(f'{prec}/cp=False', {}), out.get(f'{prec}/cp=True', {})
        if 'step_s' in a and 'step_s' in b:
            out[f'{prec} with_cp / without'] = b['step_s'] / a['step_s']
    return out


def environment(args: argparse.Namespace) -> Dict:
    cuda = args.device.startswith('cuda') and torch.cuda.is_available()
    return dict(
        device=args.device, torch=torch.__version__,
        cuda=torch.version.cuda,
        device_name=(torch.cuda.get_device_name() if cuda else
                     platform.processor() or platform.machine()),
        memory_gib=(torch.cuda.get_device_properties(0).total_memory /
                    2**30 if cuda else None),
        loadavg=[round(x, 2) for x in os.getloadavg()])


def print_summary(res: dict) -> None:
    env = res['environment']
    print(f'{env["device_name"]} ({env["device"]}), torch {env["torch"]}, '
          f'CUDA {env["cuda"]}, {res["wall_s"]:.0f} s')
    for batch, rows in res.get('inference', {}).items():
        for key, r in rows.items():
            text = (f'{r["fps"]:9.1f} FPS' if 'fps' in r else
                    f'{r["ratio"]:9.3f} (paper {r["paper"]:.3f})')
            print(f'  inference batch {batch:>3} {key:<18}{text}')
    for key, r in res.get('train', {}).items():
        if isinstance(r, float):
            print(f'  SHT step {key:<24}{r:9.3f}')
        elif 'step_s' in r:
            print(f'  SHT step {r["pairs"]} pairs {key:<16}{r["step_s"]:9.3f}'
                  f' s, peak {r["peak_mib"] / 1024:.2f} GiB')
        else:
            print(f'  SHT step {key:<24}{r.get("oom") or r["skipped"]}')


def main(argv: Optional[List[str]] = None) -> dict:
    args = parse_args(argv)
    started = time.perf_counter()
    res = dict(plan=plan(args), dry_run=args.dry_run, args=vars(args),
               environment=environment(args))
    if not args.dry_run:
        if args.device.startswith('cuda'):
            torch.backends.cudnn.benchmark = True
        if 'inference' not in args.skip:
            res['inference'] = check_inference(args)
        if 'train' not in args.skip:
            res['train'] = check_train(args, started)
    res['wall_s'] = time.perf_counter() - started
    if osp.dirname(args.out):
        os.makedirs(osp.dirname(args.out), exist_ok=True)
    with open(args.out, 'w') as f:
        json.dump(res, f, indent=2)
    if args.dry_run:
        print(f'dry run: {len(res["plan"]["inference"])} inference and '
              f'{len(res["plan"]["train"])} training measurements planned')
    else:
        print_summary(res)
    print(f'written {args.out}')
    return res


if __name__ == '__main__':
    main()
