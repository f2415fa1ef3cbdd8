#!/usr/bin/env python
"""Side-by-side speed of SHN, DHLN, SHT and mmpose's HRNetv2-w18 face model.

Everything is measured in one process, with warm-up and interleaved repeats
(A, B, C, A, B, C, ...; medians), so the ratios hold on a shared machine
even when absolute times drift:

- inference throughput (images/s, ``torch.no_grad()``, eval mode, the
  estimator's ``'tensor'`` forward: LR degradation + network) at each batch
  size, for the optimised model (Conv+BN folded, channels-last;
  ``--variants plain optimized`` adds the model as built, ``--compile`` a
  ``torch.compile`` variant);
- achieved MAC rate (MACs from ``get_flops.count_complexity`` x images/s)
  as a fraction of the rate of float32 ``torch.matmul`` timed in the same
  rounds (the practical peak; convolutions may exceed it where the BLAS
  is slower than oneDNN, e.g. MKL on AMD CPUs);
- training step time of DHLN (``--train-batch`` images, Eq. 4) and SHT
  (``--train-pairs`` pairs, Eq. 9, generator and discriminator optimizers;
  extrapolated to the paper's 8 pairs when fewer are timed);
- data pipeline pairs/s of one worker (``pipeline_benchmark.run``);
- peak memory of each measured call: CUDA ``max_memory_allocated``, or on
  the CPU the process's peak RSS (``VmHWM``, reset before the call).

CPU by default (glibc allocator tuned, see ``tune_cpu_allocator``); on CUDA
(the default when present) every timed call is synchronised. On a busy
machine ``--threads 1 --timer cpu`` times process CPU time instead.

Usage::

    python tools/analysis/benchmark.py --out work_dirs/benchmark.json
    python tools/analysis/benchmark.py --quick
"""
import argparse
import json
import os
import os.path as osp
import platform
import resource
import sys
import time
import warnings
from copy import deepcopy
from typing import Dict, List, Optional

HERE = osp.dirname(osp.abspath(__file__))
REPO_ROOT = osp.dirname(osp.dirname(HERE))
sys.path.insert(0, HERE)  # get_flops, pipeline_benchmark

import get_flops  # noqa: E402

get_flops._ensure_sht_importable()

import numpy as np  # noqa: E402
import torch  # noqa: E402

from sht.models.inference_optim import (  # noqa: E402
    fuse_conv_bn, maybe_compile, to_channels_last, tune_cpu_allocator)
from sht.utils.benchmarking import interleaved, matmul_call  # noqa: E402

MMPOSE_HRNET = ('configs/face_2d_keypoint/topdown_heatmap/300w/'
                'td-hm_hrnetv2-w18_8xb64-60e_300w-256x256.py')
# the paper's figures (Sec. 4.3)
PAPER = dict(shn_params=16.41e6, dhln_params=22.72e6, fps_ratio=80 / 120,
             pairs=8)


def default_hrnet_config() -> str:
    import mmpose
    return osp.join(osp.dirname(mmpose.__file__), '.mim', MMPOSE_HRNET)


def parse_args(argv: Optional[List[str]] = None) -> argparse.Namespace:
    p = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    cfg = lambda *a: osp.join(REPO_ROOT, 'configs', 'sht', *a)  # noqa: E731
    p.add_argument('--shn', default=cfg('300w', 'SHN_300W.py'))
    p.add_argument('--dhln', nargs='+',
                   default=[cfg('300w', 'DHLN-M_300W.py'),
                            cfg('celeba', 'DHLN_CelebA.py')],
                   help='DHLN configs; the first is compared with --shn')
    p.add_argument('--hrnet', default=None,
                   help="default: mmpose's HRNetv2-w18 300W 256x256")
    p.add_argument('--sht', default=cfg('300w', 'SHT-M_300W.py'))
    p.add_argument('--batch-sizes', type=int, nargs='+', default=[1, 16])
    p.add_argument('--repeats', type=int, default=3,
                   help='timed rounds (after --warmup rounds); medians')
    p.add_argument('--warmup', type=int, default=1)
    p.add_argument('--train-batch', type=int, default=16)
    p.add_argument('--train-pairs', type=int, default=None,
                   help='SHT pairs per timed step (default: 8 on CUDA, 1 on '
                   'a CPU, where 8 pairs take minutes per step)')
    p.add_argument('--train-repeats', type=int, default=1)
    p.add_argument('--pipeline-pairs', type=int, default=60)
    p.add_argument('--matmul-size', type=int, default=2048)
    p.add_argument('--matmul-repeats', type=int, default=10,
                   help='matmuls per timed call (about a second on a CPU)')
    p.add_argument('--variants', nargs='+', default=['optimized'],
                   choices=['plain', 'optimized'],
                   help='optimized: Conv+BN folded, channels-last; plain: '
                   'the eval model as built (timed for SHN and the first '
                   'DHLN only)')
    p.add_argument('--compile', action='store_true',
                   help='add a torch.compile variant (slow first call)')
    p.add_argument('--skip', nargs='*', default=[],
                   choices=['inference', 'train', 'pipeline', 'hrnet'])
    p.add_argument('--device', default=None, help='default: cuda if present')
    p.add_argument('--threads', type=int, default=None)
    p.add_argument('--timer', choices=['wall', 'cpu'], default='wall',
                   help='cpu: process CPU time (CPU only; with --threads 1 '
                   'it is not inflated by other processes on the machine)')
    p.add_argument('--no-malloc-tuning', action='store_true',
                   help='keep glibc malloc defaults (CPU; see '
                   'sht.models.inference_optim.tune_cpu_allocator)')
    p.add_argument('--quick', action='store_true',
                   help='1 repeat, 1 training repeat, 20 pipeline pairs')
    p.add_argument('--out', default=None, help='write the results as json')
    args = p.parse_args(argv)
    if args.quick:
        args.repeats, args.train_repeats, args.pipeline_pairs = 1, 1, 20
    args.hrnet = args.hrnet or default_hrnet_config()
    args.device = args.device or ('cuda'
                                  if torch.cuda.is_available() else 'cpu')
    if args.timer == 'cpu' and args.device != 'cpu':
        p.error('--timer cpu needs --device cpu')
    if args.train_pairs is None:
        args.train_pairs = 8 if args.device.startswith('cuda') else 1
    return args


# ------------------------------------------------------------------ models
def build_inference_model(path: str, device: str, options: Dict = None):
    """Eval-mode estimator of a config with no weights (no downloads)."""
    cfg, model = get_flops.build_model(path, options or {})
    return cfg, model.to(device)


def hr_size(cfg) -> int:
    codec = cfg.get('codec', None) or cfg.model.head.decoder
    return int(codec['input_size'][1])


def variant(model, name: str, compile_backbone: bool = False):
    """The ``plain`` model or an ``optimized`` deep copy of it.

    DHLN / SHN use :func:`fuse_conv_bn` (Conv + BN pairs of
    ``nn.Sequential``); other mmpose models (HRNet, whose blocks keep conv
    and norm as attributes) use mmcv's ``fuse_conv_bn``.
    """
    if name == 'plain':
        return model
    from sht.models.backbones import DHLN
    opt = deepcopy(model)
    if isinstance(getattr(opt, 'backbone', None), DHLN):
        fuse_conv_bn(opt)
    else:
        from mmcv.cnn import fuse_conv_bn as mmcv_fuse_conv_bn
        mmcv_fuse_conv_bn(opt)
    to_channels_last(opt)
    if compile_backbone:
        opt.backbone = maybe_compile(opt.backbone, True)
    return opt


def bench_inference(args) -> dict:
    specs = [('SHN', args.shn, None)]
    specs += [(f'DHLN[{osp.basename(p)[:-3]}]', p, None) for p in args.dhln]
    if 'hrnet' not in args.skip:
        specs.append(('HRNetv2-w18', args.hrnet,
                      {'model.backbone.init_cfg': None}))
    models, result = {}, dict(models={}, batches={})
    for i, (label, path, options) in enumerate(specs):
        # the plain (unoptimised) model only for the SHN / DHLN pair
        variants = [v for v in args.variants if v != 'plain' or i < 2]
        variants += ['compiled'] if args.compile else []
        cfg, model = build_inference_model(path, args.device, options)
        size = hr_size(cfg)
        with warnings.catch_warnings():
            warnings.simplefilter('ignore')
            params, macs, _ = get_flops.count_complexity(
                model.cpu(), torch.rand(1, 3, size, size))
        model.to(args.device)
        result['models'][label] = dict(
            config=osp.relpath(path, REPO_ROOT), hr_size=size,
            params=params, macs_per_image=macs)
        for v in variants:
            models[(label, v)] = variant(
                model, 'optimized' if v == 'compiled' else v,
                v == 'compiled')
    for batch in args.batch_sizes:
        calls = {
            'matmul': matmul_call(args.matmul_size, args.matmul_repeats,
                                  args.device)
        }
        for (label, v), model in models.items():
            size = result['models'][label]['hr_size']
            x = torch.rand(batch, 3, size, size, device=args.device)
            calls[f'{label}/{v}'] = (
                lambda m=model, x=x: m(x, None, mode='tensor'))
        with torch.no_grad():
            times = interleaved(calls, args.repeats, args.warmup,
                                args.device, f'inference batch {batch}',
                                args.timer)
        mm_rate = (args.matmul_repeats * args.matmul_size**3 /
                   times.pop('matmul')['median_s'])
        rows = {}
        for key, t in times.items():
            label = key.split('/')[0]
            ips = batch / t['median_s']
            mac_rate = ips * result['models'][label]['macs_per_image']
            rows[key] = dict(
                t, images_per_s=ips, mac_rate=mac_rate,
                mac_fraction_of_matmul=mac_rate / mm_rate)
        result['batches'][str(batch)] = dict(
            matmul_macs_per_s=mm_rate, rows=rows)
    return result


# ---------------------------------------------------------------- training
def synthetic_train_batch(cfg, num: int, seed: int = 0) -> dict:
    """A dataloader-style batch: HR crops in [0, 255] plus heatmap targets
    encoded with the config's codec from random landmarks."""
    from mmengine.structures import InstanceData, PixelData
    from mmpose.registry import KEYPOINT_CODECS
    from mmpose.structures import PoseDataSample
    codec = KEYPOINT_CODECS.build(cfg.codec)
    w, h = codec.input_size
    k = cfg.model.head.num_keypoints
    rng = np.random.default_rng(seed)
    inputs, samples = [], []
    for i in range(num):
        inputs.append(torch.rand(3, h, w) * 255)
        kpts = rng.uniform(0.2, 0.8, (1, k, 2)) * np.array([w, h])
        enc = codec.encode(kpts.astype(np.float32), np.ones((1, k)))
        sample = PoseDataSample(metainfo=dict(
            img_path=f'synthetic_{i}.png', labeled=True, input_size=(w, h)))
        sample.gt_fields = PixelData(
            heatmaps=torch.from_numpy(enc['heatmaps']))
        sample.gt_instance_labels = InstanceData(
            keypoint_weights=torch.from_numpy(
                enc['keypoint_weights'].astype(np.float32)))
        samples.append(sample)
    return dict(inputs=inputs, data_samples=samples)


def build_trainable(path: str, device: str, options: Dict):
    from mmengine.config import Config
    from mmengine.optim import build_optim_wrapper
    from mmengine.registry import init_default_scope
    from mmpose.registry import MODELS
    cfg = Config.fromfile(path)
    cfg.merge_from_dict(options)
    init_default_scope(cfg.get('default_scope', 'mmpose'))
    model = MODELS.build(cfg.model).to(device)
    model.train()
    return cfg, model, build_optim_wrapper(model, cfg.optim_wrapper)


def bench_train(args) -> dict:
    """DHLN and SHT training steps (``train_step``), interleaved.

    DHLN runs on ``--train-batch`` images (16: the paper's batch), SHT on
    ``--train-pairs`` pairs with both optimizers. When fewer than the
    paper's 8 pairs are timed (the CPU default is 1: 8 pairs take about
    ten minutes per step there), the 8-pair step is extrapolated linearly,
    which is conservative for SHT (small batches use the cores less well).
    The SHT / DHLN ratio compares the 8-pair step with the DHLN step.
    """
    dhln_path = args.dhln[0]
    cfg_d, dhln, optim_d = build_trainable(dhln_path, args.device, {})
    cfg_s, sht_model, optim_s = build_trainable(
        args.sht, args.device,
        {'model.fptn.perceptual_loss.vgg_weights': None})
    sht_model.train_mode = 'sht'
    batch_d = synthetic_train_batch(cfg_d, args.train_batch)
    batch_s = synthetic_train_batch(cfg_s, 2 * args.train_pairs, seed=1)
    calls = {
        'dhln': lambda: dhln.train_step(batch_d, optim_d),
        'sht': lambda: sht_model.train_step(batch_s, optim_s),
    }
    times = interleaved(calls, args.train_repeats, 1, args.device,
                        'training steps', args.timer)
    d, s = times['dhln'], times['sht']
    sht_8 = s['median_s'] * PAPER['pairs'] / args.train_pairs
    return dict(
        dhln=dict(d, config=osp.relpath(dhln_path, REPO_ROOT),
                  images=args.train_batch,
                  images_per_s=args.train_batch / d['median_s']),
        sht=dict(s, config=osp.relpath(args.sht, REPO_ROOT),
                 pairs=args.train_pairs,
                 pairs_per_s=args.train_pairs / s['median_s'],
                 step_s_8_pairs=sht_8,
                 extrapolated=args.train_pairs != PAPER['pairs']),
        sht_over_dhln_step=sht_8 / d['median_s'])


def bench_pipeline(args, hr: int) -> dict:
    import pipeline_benchmark
    threads = torch.get_num_threads()
    try:
        res = pipeline_benchmark.run(pipeline_benchmark.parse_args([
            '--num-pairs', str(args.pipeline_pairs), '--input-size', str(hr)
        ]))
    finally:
        torch.set_num_threads(threads)
    return res


# ----------------------------------------------------------------- summary
def acceptance(res: dict) -> Dict[str, dict]:
    """The issue's targets, each with its value, target and pass flag."""
    out = {}
    inf = res.get('inference')
    if inf:
        models = inf['models']
        dhln = next(k for k in models if k.startswith('DHLN'))
        batch = max(inf['batches'], key=int)
        rows = inf['batches'][batch]['rows']
        # the default inference path; other variants are in the table
        timed = [k.split('/')[1] for k in rows if k.startswith(dhln)]
        chosen = 'optimized' if 'optimized' in timed else timed[0]
        ratio = (rows[f'{dhln}/{chosen}']['images_per_s'] /
                 rows[f'SHN/{chosen}']['images_per_s'])
        out[f'DHLN/SHN throughput, batch {batch} ({chosen})'] = dict(
            value=ratio, target='>= 0.67 (goal 0.75)', ok=ratio >= 0.67)
        for name, paper in (('SHN', PAPER['shn_params']),
                            (dhln, PAPER['dhln_params'])):
            dev = models[name]['params'] / paper - 1
            out[f'{name} parameters vs paper'] = dict(
                value=dev, target='|dev| <= 1%', ok=abs(dev) <= 0.01)
        frac = rows[f'{dhln}/{chosen}']['mac_fraction_of_matmul']
        out[f'DHLN MAC rate / matmul rate, batch {batch} ({chosen})'] = dict(
            value=frac, target='>= 0.80', ok=frac >= 0.8)
    tr = res.get('train')
    if tr:
        out['SHT step (8 pairs) / DHLN step'] = dict(
            value=tr['sht_over_dhln_step'], target='<= 3',
            ok=tr['sht_over_dhln_step'] <= 3)
    if tr and res.get('pipeline'):
        r = res['pipeline']['pairs_per_second'] / tr['dhln']['images_per_s']
        out['pipeline pairs/s per worker / DHLN train images/s'] = dict(
            value=r, target='>= 10', ok=r >= 10)
    return out


def print_report(res: dict) -> None:
    env = res['environment']
    print(f'\nDevice {env["device"]} ({env["device_name"]}), torch '
          f'{env["torch"]}, {env["threads"]} threads, {env["timer"]} '
          f'time, malloc tuned: '
          f'{env["malloc_tuned"]}, load average {env["loadavg_start"]} -> '
          f'{env["loadavg_end"]}, {env["wall_s"]:.0f} s')
    print('(+MiB: peak memory of one call above the memory in use before '
          'it; MAC/mm: achieved MAC rate / same-run matmul rate)')
    inf = res.get('inference')
    if inf:
        print(f'\n{"model":<28}{"params (M)":>11}{"GMACs/img":>11}')
        for name, m in inf['models'].items():
            print(f'{name:<28}{m["params"] / 1e6:>11.2f}'
                  f'{m["macs_per_image"] / 1e9:>11.2f}')
        for batch, b in inf['batches'].items():
            mm = b['matmul_macs_per_s']
            print(f'\nInference, batch {batch} (matmul {mm / 1e9:.1f} '
                  f'GMAC/s)')
            print(f'{"model/variant":<34}{"img/s":>9}{"ms/batch":>10}'
                  f'{"MAC/mm":>8}{"+MiB":>8}')
            for key, r in b['rows'].items():
                print(f'{key:<34}{r["images_per_s"]:>9.2f}'
                      f'{1000 * r["median_s"]:>10.1f}'
                      f'{r["mac_fraction_of_matmul"]:>8.2f}'
                      f'{r["delta_mib"]:>8.0f}')
    tr = res.get('train')
    if tr:
        print('\nTraining steps (+MiB: peak above the memory in use)')
        d, s = tr['dhln'], tr['sht']
        print(f'DHLN, {d["images"]} images: {d["median_s"]:.2f} s/step, '
              f'{d["images_per_s"]:.2f} images/s, +{d["delta_mib"]:.0f} MiB')
        print(f'SHT, {s["pairs"]} pairs: {s["median_s"]:.2f} s/step, '
              f'+{s["delta_mib"]:.0f} MiB; 8 pairs: '
              f'{s["step_s_8_pairs"]:.1f} s/step'
              f'{" (extrapolated)" if s["extrapolated"] else ""}')
        print(f'SHT (8 pairs) / DHLN ({d["images"]} images) step: '
              f'{tr["sht_over_dhln_step"]:.2f}')
    if res.get('pipeline'):
        print(f'\nPipeline: {res["pipeline"]["pairs_per_second"]:.1f} '
              'pairs/s per worker')
    print('\nPerformance targets')
    for name, a in res['acceptance'].items():
        flag = 'ok' if a['ok'] else 'MISSED'
        print(f'  {name:<58}{a["value"]:>9.3f}  {a["target"]:<20}{flag}')


def main(argv: Optional[List[str]] = None) -> dict:
    args = parse_args(argv)
    if args.threads:
        torch.set_num_threads(args.threads)
    malloc_tuned = (args.device == 'cpu' and not args.no_malloc_tuning
                    and tune_cpu_allocator())
    started = time.perf_counter()
    env = dict(
        device=args.device,
        device_name=(torch.cuda.get_device_name() if args.device.startswith(
            'cuda') else platform.processor() or platform.machine()),
        torch=torch.__version__, threads=torch.get_num_threads(),
        malloc_tuned=malloc_tuned, timer=args.timer,
        loadavg_start=[round(x, 2) for x in os.getloadavg()],
        args=vars(args))
    res = dict(environment=env)
    if 'inference' not in args.skip:
        res['inference'] = bench_inference(args)
    if 'train' not in args.skip:
        res['train'] = bench_train(args)
    if 'pipeline' not in args.skip:
        from mmengine.config import Config
        res['pipeline'] = bench_pipeline(
            args, hr_size(Config.fromfile(args.dhln[0])))
    env['loadavg_end'] = [round(x, 2) for x in os.getloadavg()]
    env['wall_s'] = time.perf_counter() - started
    if args.device == 'cpu':
        env['max_rss_mib'] = resource.getrusage(
            resource.RUSAGE_SELF).ru_maxrss / 1024
    res['acceptance'] = acceptance(res)
    print_report(res)
    if args.out:
        if osp.dirname(args.out):
            os.makedirs(osp.dirname(args.out), exist_ok=True)
        with open(args.out, 'w') as f:
            json.dump(res, f, indent=2)
        print(f'\nwritten {args.out}')
    return res


if __name__ == '__main__':
    main()
