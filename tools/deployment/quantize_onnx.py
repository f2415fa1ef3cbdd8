#!/usr/bin/env python
"""Export a DHLN model to ONNX and quantise it to int8 for the CPU.

Usage::

    python tools/deployment/quantize_onnx.py CONFIG CHECKPOINT OUT_DIR \
        [--calib-faces 32] [--eval] [--max-faces N]

Writes ``OUT_DIR/fp32.onnx`` (as ``export_onnx.py``) and ``OUT_DIR/int8.onnx``:
onnxruntime static quantisation, QDQ format, per-channel int8 weights,
uint8 activations calibrated (MinMax) on ``--calib-faces`` faces generated
by ``sht.synthetic`` and passed through the config's test pipeline and the
model's degradation (``sht.deployment.quantize``). ``--eval`` evaluates the
PyTorch model, its bf16 autocast, and both graphs on the config's test set
through the estimator's own pre/post-processing and prints NME_io and the
change each variant makes (``sht.deployment.variants``).
"""
import argparse
import json
import os.path as osp
import sys
from typing import List, Optional

REPO_ROOT = osp.dirname(osp.dirname(osp.dirname(osp.abspath(__file__))))
try:
    import sht  # noqa: F401
except ImportError:  # source checkout without an editable install
    sys.path.insert(0, osp.join(REPO_ROOT, 'projects'))
    import sht  # noqa: F401

from sht.deployment.variants import (ALL_VARIANTS,  # noqa: E402
                                     landmark_error_report)


def parse_args(argv: Optional[List[str]] = None) -> argparse.Namespace:
    from mmengine.config import DictAction
    p = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    p.add_argument('config')
    p.add_argument('checkpoint', help="'none': random weights (testing)")
    p.add_argument('out_dir', help='fp32.onnx and int8.onnx go here')
    p.add_argument('--calib-faces', type=int, default=32)
    p.add_argument('--eval', action='store_true',
                   help='NME_io of every variant on the test set')
    p.add_argument('--variants', nargs='+', default=list(ALL_VARIANTS),
                   choices=ALL_VARIANTS)
    p.add_argument('--max-faces', type=int, default=None)
    p.add_argument('--cfg-options', nargs='+', action=DictAction,
                   default={})
    return p.parse_args(argv)


def main(argv: Optional[List[str]] = None) -> dict:
    args = parse_args(argv)
    if not args.eval:
        from mmengine.config import Config

        from sht.deployment.onnx_export import load_dhln
        from sht.deployment.variants import export_and_quantize
        cfg = Config.fromfile(args.config)
        cfg.merge_from_dict(args.cfg_options)
        model = load_dhln(args.config, args.checkpoint, args.cfg_options)
        res = dict(onnx=export_and_quantize(cfg, model, args.out_dir,
                                            args.calib_faces))
    else:
        res = landmark_error_report(args.config, args.checkpoint,
                                    args.out_dir, args.variants,
                                    args.calib_faces,
                                    args.max_faces,
                                    cfg_options=args.cfg_options)
    for name, path in res['onnx'].items():
        print(f'{name}: {path} ({osp.getsize(path) / 2**20:.1f} MiB)')
    for name, m in res.get('metrics', {}).items():
        print(f'{name:<12} NME_io {m["NME_io"]:.3f}% '
              f'({100 * m.get("NME_io_rel_change", 0):+.2f}% vs fp32) on '
              f'{m["num_faces"]} faces')
    with open(osp.join(args.out_dir, 'quantize.json'), 'w') as f:
        json.dump(res, f, indent=2)
    return res


if __name__ == '__main__':
    main()
