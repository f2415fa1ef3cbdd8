#!/usr/bin/env python
"""Print the parameters (M) and MACs (G) of the model of a config.

Usage::

    python tools/analysis/get_flops.py CONFIG [--shape H [W]]
        [--cfg-options KEY=VALUE ...] [--depth N]

The input is one random HR crop (values in [0, 1]) of the config's codec
``input_size`` unless ``--shape`` is given. MACs are counted with mmengine's
fvcore-style ``FlopAnalyzer`` over everything the model computes for that
input (for DHLN: both streams, every stack, the SR tail); one fused
multiply-add counts as one MAC. Ops it cannot count (e.g. bicubic resizing)
are left out. Parameters are every parameter of the built model, with a
per-module table down to ``--depth`` levels.
"""
import argparse
import os.path as osp
import sys
import warnings
from typing import Dict, List, Tuple

REPO_ROOT = osp.dirname(osp.dirname(osp.dirname(osp.abspath(__file__))))


def _ensure_sht_importable() -> None:
    """Make ``import sht`` work from any directory (source checkout)."""
    try:
        import sht  # noqa: F401
    except ImportError:
        sys.path.insert(0, osp.join(REPO_ROOT, 'projects'))
        import sht  # noqa: F401


def parse_args() -> argparse.Namespace:
    from mmengine.config import DictAction
    parser = argparse.ArgumentParser(
        description='Parameters and MACs of the model of a config')
    parser.add_argument('config', help='config file path')
    parser.add_argument(
        '--shape',
        type=int,
        nargs='+',
        default=None,
        help='input (HR crop) size: H or H W; default: the codec input_size')
    parser.add_argument(
        '--depth',
        type=int,
        default=2,
        help='module depth of the parameter / MAC table (default 2)')
    parser.add_argument(
        '--cfg-options',
        nargs='+',
        action=DictAction,
        default={},
        help='override config settings, e.g. model.backbone.num_stacks=2')
    return parser.parse_args()


def _flatten_tensors(obj) -> List:
    """All tensors in nested tuples / lists / dicts (None skipped)."""
    import torch
    if isinstance(obj, torch.Tensor):
        return [obj]
    if isinstance(obj, dict):
        obj = list(obj.values())
    if isinstance(obj, (list, tuple)):
        out = []
        for item in obj:
            out += _flatten_tensors(item)
        return out
    return []


def _input_hw(cfg, shape) -> Tuple[int, int]:
    """Input (H, W) from ``--shape`` or the config's codec."""
    if shape:
        if len(shape) not in (1, 2):
            raise SystemExit(f'--shape takes H or H W, got {shape}')
        return (shape[0], shape[-1])
    codec = cfg.get('codec', None)
    if codec is None:
        codec = cfg.model.get('head', {}).get('decoder', None)
    if codec is None or 'input_size' not in codec:
        raise SystemExit('no codec input_size in the config: pass --shape')
    w, h = codec['input_size']
    return (int(h), int(w))


def build_model(cfg_path: str, cfg_options: Dict):
    """Build the (eval-mode, CPU) model of a config with no weights."""
    from mmengine.config import Config
    from mmengine.registry import init_default_scope
    from mmpose.registry import MODELS
    cfg = Config.fromfile(cfg_path)
    if not isinstance(cfg.get('model', None), dict):
        raise SystemExit(
            f'{cfg_path}: no "model" dict in this config (a fragment such '
            'as configs/_base_/models/fptn.py is only used through a model '
            'config; pass a config that defines model=dict(...))')
    # Count the inference model: without a train_cfg an SHT config builds
    # DHLN alone (FPTN and the discriminators are training-only).
    cfg.model.train_cfg = None
    if cfg_options:
        cfg.merge_from_dict(cfg_options)
    init_default_scope(cfg.get('default_scope', 'mmpose'))
    model = MODELS.build(cfg.model)
    model.eval()
    return cfg, model


def count_complexity(model, inputs) -> Tuple[int, int, Dict[str, int]]:
    """Parameters, MACs and MACs per module of ``model`` on ``inputs``.

    Args:
        model (BasePoseEstimator): An mmpose pose estimator.
        inputs (Tensor): (1, 3, H, W) input.

    Returns:
        tuple: (parameters, MACs, {module name: MACs}).
    """
    import torch
    from mmengine.analysis import FlopAnalyzer

    class _AllOutputs(torch.nn.Module):
        """Everything the estimator computes for a batch, as tensors."""

        def __init__(self, estimator) -> None:
            super().__init__()
            self.estimator = estimator

        def forward(self, x):
            feats = self.estimator.extract_feat(x)
            outs = [feats]
            if getattr(self.estimator, 'with_head', False):
                outs.append(self.estimator.head.forward(feats))
            return tuple(_flatten_tensors(outs))

    params = sum(p.numel() for p in model.parameters())
    with warnings.catch_warnings(), torch.no_grad():
        warnings.simplefilter('ignore')
        analyzer = FlopAnalyzer(_AllOutputs(model), (inputs, ))
        analyzer.unsupported_ops_warnings(False)
        analyzer.uncalled_modules_warnings(False)
        analyzer.tracer_warnings('none')
        macs = analyzer.total()
        by_module = {
            k[len('estimator.'):]: v
            for k, v in analyzer.by_module().items()
            if k.startswith('estimator.')
        }
    return params, macs, by_module


def module_table(model, macs_by_module: Dict[str, int], depth: int) -> str:
    """Rows ``name  params(M)  MACs(G)`` for modules up to ``depth``."""
    rows = [f'{"module":<40}{"params (M)":>12}{"MACs (G)":>12}']
    for name, module in model.named_modules():
        level = name.count('.') + 1 if name else 0
        if not name or level > depth:
            continue
        n = sum(p.numel() for p in module.parameters())
        if n == 0:
            continue
        macs = macs_by_module.get(name, 0)
        rows.append(f'{"  " * (level - 1) + name:<40}{n / 1e6:>12.3f}'
                    f'{macs / 1e9:>12.3f}')
    return '\n'.join(rows)


def main() -> None:
    _ensure_sht_importable()
    import torch
    args = parse_args()
    cfg, model = build_model(args.config, args.cfg_options)
    h, w = _input_hw(cfg, args.shape)
    inputs = torch.rand(1, 3, h, w)
    params, macs, by_module = count_complexity(model, inputs)
    line = '=' * 64
    print(line)
    print(f'Config: {args.config}')
    print(f'Model: {type(model).__name__}')
    print(f'Input shape: (1, 3, {h}, {w})')
    print(f'Parameters: {params / 1e6:.2f} M ({params} total)')
    print(f'MACs: {macs / 1e9:.2f} G')
    print(line)
    print(module_table(model, by_module, args.depth))


if __name__ == '__main__':
    main()
