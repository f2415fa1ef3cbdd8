"""The CPU deployment variants of one DHLN estimator, and the landmark error
each adds on the config's test set.

Variants (all estimators with the same pre/post-processing, see
:mod:`sht.deployment.runtimes`):

=============  ==========================================================
``fp32``       the PyTorch model as evaluated by ``tools/test.py``
``torch-fp32``  Conv+BN folded, channels-last (the benchmark's default)
``torch-bf16``  the same under ``torch.autocast(bfloat16)``
``ort-fp32``   the exported ONNX graph on onnxruntime
``ort-int8``   that graph quantised to int8 (static QDQ, per-channel,
               calibrated on generated faces)
=============  ==========================================================
"""
import os.path as osp
from copy import deepcopy
from typing import Dict, Iterable, List, Optional, Sequence

import torch

from ..models.inference_optim import optimize_for_inference
from ..models.pose_estimators.dhln_estimator import DHLNEstimator
from .runtimes import AutocastBackbone, onnx_estimator, with_backbone

ALL_VARIANTS = ('fp32', 'torch-fp32', 'torch-bf16', 'ort-fp32', 'ort-int8')


def export_and_quantize(cfg, model: DHLNEstimator, work_dir: str,
                        calib_faces: int = 32,
                        hr_size: Optional[int] = None) -> Dict[str, str]:
    """Write ``fp32.onnx`` and its int8 version ``int8.onnx`` to
    ``work_dir``.

    Args:
        cfg (mmengine.Config): The model's config (test pipeline of the
            calibration faces).
        model (DHLNEstimator): Eval-mode estimator.
        work_dir (str): Output folder.
        calib_faces (int): Generated calibration faces. Defaults to 32.
        hr_size (int, optional): HR crop side; defaults to the codec's.

    Returns:
        dict: ``{'ort-fp32': path, 'ort-int8': path}``.
    """
    from .onnx_export import export, set_hr_size
    from .quantize import calibration_inputs, quantize_int8
    side = hr_size or set_hr_size(model)
    fp32 = export(model, osp.join(work_dir, 'fp32.onnx'), side)
    int8 = quantize_int8(fp32, osp.join(work_dir, 'int8.onnx'),
                         calibration_inputs(cfg, model, calib_faces))
    return {'ort-fp32': fp32, 'ort-int8': int8}


def build_variants(model: DHLNEstimator,
                   onnx_files: Optional[Dict[str, str]] = None,
                   names: Sequence[str] = ALL_VARIANTS,
                   threads: Optional[int] = None
                   ) -> Dict[str, DHLNEstimator]:
    """The named variants of an eval-mode estimator.

    Args:
        model (DHLNEstimator): Eval-mode estimator (left unchanged; it is
            the ``fp32`` variant itself).
        onnx_files (dict, optional): ``'ort-fp32'`` / ``'ort-int8'`` ->
            graph (:func:`export_and_quantize`); needed for those variants.
        names (Sequence[str]): Which variants. Defaults to all.
        threads (int, optional): onnxruntime threads (default: PyTorch's).

    Returns:
        dict[str, DHLNEstimator]: In the order of ``names``.
    """
    unknown = set(names) - set(ALL_VARIANTS)
    if unknown:
        raise ValueError(f'unknown variants {sorted(unknown)}; choose from '
                         f'{ALL_VARIANTS}')
    out, optimized = {}, None
    for name in names:
        if name == 'fp32':
            out[name] = model
        elif name in ('torch-fp32', 'torch-bf16'):
            if optimized is None:
                optimized = optimize_for_inference(deepcopy(model))
            out[name] = optimized if name == 'torch-fp32' else with_backbone(
                optimized, AutocastBackbone(optimized.backbone))
        else:
            if not onnx_files or name not in onnx_files:
                raise ValueError(f'variant {name} needs its ONNX graph')
            out[name] = onnx_estimator(model, onnx_files[name], threads)
    return out


def _cached_batches(cfg, max_faces: Optional[int]) -> tuple:
    from mmengine.runner import Runner
    loader = Runner.build_dataloader(cfg.test_dataloader)
    batches, seen = [], 0
    for batch in loader:
        if max_faces is not None:
            if seen >= max_faces:
                break
            keep = max_faces - seen  # the last batch cut to size
            batch = {k: v[:keep] for k, v in batch.items()}
        batches.append(batch)
        seen += len(batch['inputs'])
    return batches, seen, loader.dataset.metainfo


@torch.no_grad()
def evaluate_variants(variants: Dict[str, DHLNEstimator],
                      cfg,
                      max_faces: Optional[int] = None,
                      reference: str = 'fp32') -> Dict[str, dict]:
    """The config's test metrics of every variant on its test set.

    Every variant sees the same decoded batches (the test set is read
    once); predictions go through each estimator's ``test_step`` (data
    preprocessor, degradation, network, codec decoding, image coordinates)
    and the config's ``test_evaluator``.

    Args:
        variants (dict[str, DHLNEstimator]): From :func:`build_variants`.
        cfg (mmengine.Config): Config with ``test_dataloader`` and
            ``test_evaluator``.
        max_faces (int, optional): Use the first batches up to this many
            faces (all by default).
        reference (str): Variant the others are compared with.
            Defaults to 'fp32'.

    Returns:
        dict[str, dict]: Per variant its metrics, plus (when the reference
        was evaluated and reports ``NME_io``) ``NME_io_rel_change``:
        NME_io / reference NME_io - 1.
    """
    from mmengine.evaluator import Evaluator
    batches, num_faces, meta = _cached_batches(cfg, max_faces)
    results = {}
    for name, model in variants.items():
        evaluator = Evaluator(deepcopy(cfg.test_evaluator))
        evaluator.dataset_meta = meta
        for batch in batches:
            samples = [s.clone() for s in batch['data_samples']]
            preds = model.test_step(dict(batch, data_samples=samples))
            evaluator.process(preds, batch)
        results[name] = dict(evaluator.evaluate(num_faces),
                             num_faces=num_faces)
    ref = results.get(reference, {}).get('NME_io')
    if ref:
        for metrics in results.values():
            if 'NME_io' in metrics:
                metrics['NME_io_rel_change'] = metrics['NME_io'] / ref - 1
    return results


def landmark_error_report(config: str,
                          checkpoint: Optional[str],
                          work_dir: str,
                          names: Iterable[str] = ALL_VARIANTS,
                          calib_faces: int = 32,
                          max_faces: Optional[int] = None,
                          threads: Optional[int] = None,
                          cfg_options: Optional[dict] = None) -> dict:
    """Export, quantise and evaluate one model's deployment variants.

    Args:
        config (str): Config file (its test set and evaluator).
        checkpoint (str, optional): Weights (None / ``'none'``: random,
            for testing the path only).
        work_dir (str): Where the graphs go.
        names (Iterable[str]): Variants. Defaults to all.
        calib_faces (int): Generated calibration faces. Defaults to 32.
        max_faces (int, optional): Test faces used (all by default).
        threads (int, optional): onnxruntime threads.
        cfg_options (dict, optional): Config overrides.

    Returns:
        dict: ``config``, ``checkpoint``, ``metrics`` (per variant, see
        :func:`evaluate_variants`) and ``onnx`` (the graph files).
    """
    from mmengine.config import Config

    from .onnx_export import load_dhln
    cfg = Config.fromfile(config)
    if cfg_options:
        cfg.merge_from_dict(cfg_options)
    model = load_dhln(config, checkpoint, cfg_options)
    names: List[str] = list(names)
    onnx_files = (export_and_quantize(cfg, model, work_dir, calib_faces)
                  if any(n.startswith('ort') for n in names) else None)
    variants = build_variants(model, onnx_files, names, threads)
    return dict(config=config, checkpoint=checkpoint,
                metrics=evaluate_variants(variants, cfg, max_faces),
                onnx=onnx_files)
