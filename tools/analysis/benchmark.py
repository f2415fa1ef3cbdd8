#!/usr/bin/env python
"""Side-by-side speed of SHN, DHLN, SHT and mmpose's HRNetv2-w18 face model.

Everything is measured in one process, with warm-up and interleaved repeats
(A, B, C, A, B, C, ...; medians), so the ratios hold on a shared machine
even when absolute times drift. Sections (``--skip`` any of them):

- ``inference``: images/s (``torch.no_grad()``, eval mode, the estimator's
  ``'tensor'`` forward: LR degradation + network) at each batch size, for
  the optimised model (Conv+BN folded, channels-last; ``--variants plain
  optimized`` adds the model as built, ``--compile`` a ``torch.compile``
  variant), and the achieved MAC rate as a fraction of a same-run float32
  ``torch.matmul`` rate;
- ``deploy`` (CPU): DHLN as PyTorch fp32, PyTorch bf16 (autocast),
  onnxruntime fp32 and onnxruntime int8 (static QDQ, per-channel,
  calibrated on generated faces) beside SHN's PyTorch fp32
  (``sht.utils.deploy_benchmark``); ``--nme-config`` / ``--nme-checkpoint``
  add the landmark error (NME_io) each variant adds on that config's test
  set (``sht.deployment.variants``);
- ``checkpointing``: the SHT step with ``with_cp`` at ``--cp-pairs`` (the
  paper's 8) pairs, timed directly, and with / without it at
  ``--plain-pairs`` (``sht.utils.train_benchmark``);
- ``train``: DHLN (``--train-batch`` images, Eq. 4) and SHT
  (``--train-pairs`` pairs, Eq. 9) training steps;
- ``pipeline``: data pipeline pairs/s of one worker;
- peak memory of each measured call: CUDA ``max_memory_allocated``, or on
  the CPU the process's peak RSS (``VmHWM``, reset before the call).

CPU by default (glibc allocator tuned, see ``tune_cpu_allocator``); on CUDA
(the default when present) every timed call is synchronised. On a busy
machine ``--threads 1 --timer cpu`` times process CPU time instead.

Usage::

    python tools/analysis/benchmark.py --out work_dirs/benchmark.json
    python tools/analysis/benchmark.py --quick
    python tools/analysis/benchmark.py --skip inference checkpointing \
        train pipeline --nme-config configs/sht/demo/sht_synthetic.py \
        --nme-checkpoint work_dirs/demo/iter_1150.pth
"""
import argparse
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

import torch  # noqa: E402

from sht.models.inference_optim import (  # noqa: E402
    fuse_conv_bn, maybe_compile, to_channels_last, tune_cpu_allocator)
from sht.utils.benchmark_report import (acceptance,  # noqa: E402,F401
                                        print_report, write_json_report)
from sht.utils.benchmarking import interleaved, matmul_call  # noqa: E402
from sht.utils.train_benchmark import (bench_checkpointing,  # noqa: E402
                                       bench_train)

MMPOSE_HRNET = ('configs/face_2d_keypoint/topdown_heatmap/300w/'
                'td-hm_hrnetv2-w18_8xb64-60e_300w-256x256.py')


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
                   choices=['inference', 'deploy', 'checkpointing', 'train',
                            'pipeline', 'hrnet'])
    p.add_argument('--deploy-batch-sizes', type=int, nargs='+',
                   default=[1, 16])
    p.add_argument('--calib-faces', type=int, default=32,
                   help='generated faces calibrating the int8 graph')
    p.add_argument('--deploy-dir', default=None,
                   help='keep the ONNX graphs here (default: temporary)')
    p.add_argument('--nme-config', default=None,
                   help='landmark error of each deployment variant on the '
                   "test set of this config (e.g. the demo's)")
    p.add_argument('--nme-checkpoint', default=None,
                   help="its checkpoint ('none': random weights)")
    p.add_argument('--nme-max-faces', type=int, default=None,
                   help='first test faces only (default: all)')
    p.add_argument('--cp-pairs', type=int, default=8,
                   help='SHT pairs of the step with with_cp')
    p.add_argument('--plain-pairs', type=int, default=None,
                   help='SHT pairs of the with / without with_cp ratio: the '
                   'largest that fits without (default: 8 on CUDA, 4 on a '
                   'CPU)')
    p.add_argument('--cp-repeats', type=int, default=None,
                   help='timed rounds of the checkpointing steps (0: time '
                   'the first call; default 0 on a CPU, 2 on CUDA)')
    p.add_argument('--cp-amp', action='store_true',
                   help='checkpointing steps under AMP (CUDA)')
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
    cuda = args.device.startswith('cuda')
    if args.train_pairs is None:
        args.train_pairs = 8 if cuda else 1
    if args.plain_pairs is None:
        args.plain_pairs = 8 if cuda else 4
    if args.cp_repeats is None:
        args.cp_repeats = 2 if cuda else 0
    if bool(args.nme_config) != bool(args.nme_checkpoint):
        p.error('--nme-config and --nme-checkpoint go together')
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


# ---------------------------------------------------------------- sections
def bench_deploy(args) -> dict:
    """fp32 / bf16 / int8 DHLN (the first ``--dhln``) beside SHN."""
    from sht.utils.deploy_benchmark import bench_deployment
    _, shn = build_inference_model(args.shn, 'cpu')
    cfg, dhln = build_inference_model(args.dhln[0], 'cpu')
    return bench_deployment(shn, dhln, cfg, args.deploy_batch_sizes,
                            args.repeats, args.warmup, args.timer,
                            args.calib_faces, args.deploy_dir)


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
    if 'deploy' not in args.skip and args.device == 'cpu':
        res['deploy'] = bench_deploy(args)
    if args.nme_config:
        from sht.deployment.variants import landmark_error_report
        res['landmark_error'] = landmark_error_report(
            args.nme_config, args.nme_checkpoint,
            args.deploy_dir or osp.join(REPO_ROOT, 'work_dirs', 'deploy'),
            calib_faces=args.calib_faces, max_faces=args.nme_max_faces)
    if 'checkpointing' not in args.skip:
        res['checkpointing'] = bench_checkpointing(
            args.sht, args.device, args.cp_pairs, args.plain_pairs,
            args.cp_repeats, args.timer, REPO_ROOT, args.cp_amp)
    if 'train' not in args.skip:
        res['train'] = bench_train(args.dhln[0], args.sht, args.device,
                                   args.train_batch, args.train_pairs,
                                   args.train_repeats, args.timer, REPO_ROOT)
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
        write_json_report(res, args.out)
        print(f'\nwritten {args.out}')
    return res


if __name__ == '__main__':
    main()
