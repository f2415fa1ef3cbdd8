"""CPU deployment section of ``tools/analysis/benchmark.py``.

Images/s of DHLN as PyTorch fp32 (Conv+BN folded, channels-last), PyTorch
bf16 (autocast), onnxruntime fp32 and onnxruntime int8 (static QDQ,
per-channel, calibrated on generated faces), beside SHN's PyTorch fp32, in
the same interleaved rounds. Every call is the estimator's ``'tensor'``
forward on HR crops (bicubic degradation + network), so all variants do
the same work. The landmark error each variant adds is measured by
:func:`sht.deployment.variants.landmark_error_report` (on a trained model
and its test set).
"""
import tempfile
from typing import Dict, Optional, Sequence

import torch

from ..deployment.variants import build_variants, export_and_quantize
from ..models.inference_optim import optimize_for_inference
from .benchmarking import interleaved

DHLN_VARIANTS = ('torch-fp32', 'torch-bf16', 'ort-fp32', 'ort-int8')


def bench_deployment(shn, dhln, dhln_cfg, batch_sizes: Sequence[int],
                     repeats: int, warmup: int, timer: str = 'wall',
                     calib_faces: int = 32, work_dir: Optional[str] = None,
                     hr_size: Optional[int] = None) -> dict:
    """Throughput of DHLN's deployment variants beside SHN (PyTorch fp32).

    Args:
        shn (DHLNEstimator): Eval-mode SHN estimator (CPU).
        dhln (DHLNEstimator): Eval-mode DHLN estimator (CPU), e.g. DHLN-M.
        dhln_cfg (mmengine.Config): DHLN's config (calibration faces).
        batch_sizes (Sequence[int]): Batch sizes, each its own rounds.
        repeats (int): Timed rounds; medians.
        warmup (int): Untimed rounds first.
        timer (str): ``'wall'`` or ``'cpu'``.
        calib_faces (int): Generated calibration faces. Defaults to 32.
        work_dir (str, optional): Where the graphs go (a temporary folder
            by default).
        hr_size (int, optional): HR crop side (default: the codec's).

    Returns:
        dict: ``batches`` -> batch -> ``rows`` (per ``model/variant``:
        timings, ``images_per_s``) and ``ratios``: ``int8_over_ort_fp32``,
        ``int8_over_shn_fp32``, ``bf16_over_torch_fp32``,
        ``int8_over_torch_fp32``.
    """
    with tempfile.TemporaryDirectory(prefix='sht_deploy_') as tmp:
        files = export_and_quantize(dhln_cfg, dhln, work_dir or tmp,
                                    calib_faces, hr_size)
        variants = build_variants(dhln, files, DHLN_VARIANTS)
        models = {'SHN/torch-fp32': optimize_for_inference(shn)}
        models.update({f'DHLN/{k}': v for k, v in variants.items()})
        side = hr_size or int(dhln.head.decoder.input_size[1])
        result: Dict[str, dict] = dict(batches={}, calib_faces=calib_faces,
                                       hr_size=side)
        for batch in batch_sizes:
            x = torch.rand(batch, 3, side, side)
            calls = {k: (lambda m=m: m(x, None, mode='tensor'))
                     for k, m in models.items()}
            with torch.no_grad():
                times = interleaved(calls, repeats, warmup, 'cpu',
                                    f'deployment batch {batch}', timer)
            rows = {k: dict(t, images_per_s=batch / t['median_s'])
                    for k, t in times.items()}
            ips = {k: r['images_per_s'] for k, r in rows.items()}
            int8 = ips['DHLN/ort-int8']
            result['batches'][str(batch)] = dict(
                rows=rows,
                ratios=dict(
                    int8_over_ort_fp32=int8 / ips['DHLN/ort-fp32'],
                    int8_over_shn_fp32=int8 / ips['SHN/torch-fp32'],
                    int8_over_torch_fp32=int8 / ips['DHLN/torch-fp32'],
                    bf16_over_torch_fp32=(ips['DHLN/torch-bf16'] /
                                          ips['DHLN/torch-fp32'])))
    return result
