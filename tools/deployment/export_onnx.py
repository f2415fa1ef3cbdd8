#!/usr/bin/env python
"""Export a DHLN inference model to ONNX and check it against PyTorch.

Usage::

    python tools/deployment/export_onnx.py CONFIG CHECKPOINT OUT.onnx \
        [--shape H [W]] [--opset 17] [--verify] [--num-faces 8]

The graph (input ``lr_face``, the degraded LR face; outputs ``heatmaps``,
the last stack's, and ``sr_face``, the clamped hallucinated face; dynamic
batch; Conv + BatchNorm folded) is described in
:mod:`sht.deployment.onnx_export`, which holds the code. ``--verify``
runs onnxruntime on random faces and compares the decoded landmarks with
the plain (unfolded) PyTorch model's; it exits with status 1 when they
differ by ``--atol-px`` (1e-3 px) or more.
"""
import argparse
import os.path as osp
import sys
from typing import Dict, List, Optional

import torch

REPO_ROOT = osp.dirname(osp.dirname(osp.dirname(osp.abspath(__file__))))
try:
    import sht  # noqa: F401
except ImportError:  # source checkout without an editable install
    sys.path.insert(0, osp.join(REPO_ROOT, 'projects'))
    import sht  # noqa: F401

from sht.deployment.onnx_export import (  # noqa: E402,F401
    DHLNOnnxModel, export, load_dhln, lr_faces, output_names, random_faces,
    set_hr_size, verify)


def parse_args(argv: Optional[List[str]] = None) -> argparse.Namespace:
    from mmengine.config import DictAction
    p = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    p.add_argument('config', help='config file')
    p.add_argument('checkpoint', help="checkpoint file ('none': random "
                   'weights, for testing the export only)')
    p.add_argument('out', help='output .onnx file')
    p.add_argument('--shape', type=int, nargs='+', default=None,
                   help='HR crop side (H or H W); default: codec input_size')
    p.add_argument('--opset', type=int, default=17)
    p.add_argument('--no-fuse', action='store_true',
                   help='keep BatchNorm nodes (no Conv+BN folding)')
    p.add_argument('--verify', action='store_true',
                   help='compare onnxruntime with PyTorch')
    p.add_argument('--num-faces', type=int, default=8)
    p.add_argument('--atol-px', type=float, default=1e-3)
    p.add_argument('--cfg-options', nargs='+', action=DictAction,
                   default={}, help='config overrides')
    return p.parse_args(argv)


def main(argv: Optional[List[str]] = None) -> Dict:
    args = parse_args(argv)
    model = load_dhln(args.config, args.checkpoint, args.cfg_options)
    hr = set_hr_size(model, args.shape)
    export(model, args.out, hr, args.opset, fuse=not args.no_fuse)
    lr = lr_faces(model, torch.zeros(1, 3, hr, hr)).shape[-1]
    print(f'exported {args.out} ({osp.getsize(args.out) / 2**20:.1f} MiB): '
          f'lr_face (N, 3, {lr}, {lr}) -> {", ".join(output_names(model))}'
          f' (HR crop {hr}x{hr})')
    result = dict(onnx=args.out, hr_size=hr, lr_size=lr)
    if args.verify:
        diffs = verify(model, args.out, hr, args.num_faces)
        result.update(diffs)
        ok = not diffs['max_landmark_diff_px'] >= args.atol_px
        print(f'onnxruntime vs PyTorch on {args.num_faces} faces: landmarks '
              f'max |diff| {diffs["max_landmark_diff_px"]:.2e} px, heatmaps '
              f'{diffs["max_heatmap_diff"]:.2e}, SR face '
              f'{diffs["max_sr_diff"]:.2e} -> '
              f'{"OK" if ok else "FAILED"} (tolerance {args.atol_px} px)')
        result['ok'] = ok
        if not ok:
            raise SystemExit(1)
    return result


if __name__ == '__main__':
    main()
