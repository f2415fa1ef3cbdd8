"""ONNX export of DHLN inference models and its parity check.

The graph holds what DHLN computes at inference, from the low-resolution
face to decode-ready outputs:

- input ``lr_face``: (N, 3, s, s) RGB in [0, 1], the HR crop after the
  bicubic degradation of the estimator (``bicubic_degrade(hr, lr_size)``:
  64x64 for the "-M" setting, 16x16 for CelebA/Helen, whose bicubic
  up-sampling to 64x64 is part of the graph);
- output ``heatmaps``: the last stack's (N, K, 64, 64) heatmaps, decoded by
  the config's codec (e.g. ``MSRAHeatmap.decode``) into landmarks in
  HR-crop pixels;
- output ``sr_face``: the hallucinated face (N, 3, H, W), RGB clamped to
  [0, 1] as in ``PoseDataSample.pred_face``.

The batch axis is dynamic. Conv + BatchNorm pairs are folded before export
(:func:`sht.models.inference_optim.fuse_conv_bn`). FPTN is training-only and
never exported. Used by ``tools/deployment/export_onnx.py`` and the int8
path (:mod:`sht.deployment.quantize`).
"""
import os
import os.path as osp
import warnings
from copy import deepcopy
from typing import Dict, List, Optional, Sequence, Tuple

import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F
from torch import Tensor

from ..models.backbones import DHLN
from ..models.degradation import bicubic_degrade
from ..models.inference_optim import fuse_conv_bn
from ..models.pose_estimators.dhln_estimator import DHLNEstimator


class DHLNOnnxModel(nn.Module):
    """LR face -> (last-stack heatmaps, clamped hallucinated face).

    Args:
        estimator (DHLNEstimator): An eval-mode DHLN estimator.
    """

    def __init__(self, estimator: DHLNEstimator) -> None:
        super().__init__()
        self.backbone = estimator.backbone
        self.upsample_to = estimator.lr_upsample_to

    def forward(self, lr_face: Tensor) -> Tuple[Tensor, ...]:
        """(N, 3, s, s) -> heatmaps (N, K, h, w) and/or SR (N, 3, H, W)."""
        if self.upsample_to is not None:
            # second half of bicubic_degrade (the estimator's make_lr)
            lr_face = F.interpolate(
                lr_face,
                size=(self.upsample_to, self.upsample_to),
                mode='bicubic',
                align_corners=False).clamp(0.0, 1.0)
        heatmaps, sr = self.backbone(lr_face)
        outputs = []
        if heatmaps is not None:
            outputs.append(heatmaps[-1])
        if sr is not None:
            outputs.append(sr.clamp(0.0, 1.0))
        return tuple(outputs)


def output_names(estimator: DHLNEstimator) -> List[str]:
    """ONNX output names of :class:`DHLNOnnxModel` for this estimator."""
    names = []
    if estimator.backbone.with_landmark_stream:
        names.append('heatmaps')
    if estimator.backbone.with_sr_stream:
        names.append('sr_face')
    return names


def load_dhln(config: str,
              checkpoint: Optional[str],
              cfg_options: Optional[Dict] = None) -> DHLNEstimator:
    """Build the eval-mode (CPU) estimator of a config, without FPTN.

    Args:
        config (str): Config file.
        checkpoint (str, optional): Checkpoint file; None or ``'none'``
            keeps the random initialisation.
        cfg_options (dict, optional): Config overrides.

    Returns:
        DHLNEstimator: The model.

    Raises:
        TypeError: If the config's model is not a DHLN estimator.
    """
    from mmengine.config import Config
    from mmengine.registry import init_default_scope
    from mmengine.runner import load_checkpoint
    from mmpose.registry import MODELS
    cfg = Config.fromfile(config)
    if cfg_options:
        cfg.merge_from_dict(cfg_options)
    cfg.model.train_cfg = None  # inference model: no FPTN
    init_default_scope(cfg.get('default_scope', 'mmpose'))
    model = MODELS.build(cfg.model)
    if not (isinstance(model, DHLNEstimator)
            and isinstance(getattr(model, 'backbone', None), DHLN)):
        raise TypeError(
            f'{config}: export_onnx.py exports DHLN models only (a '
            'DHLNEstimator / SHTEstimator with a DHLN backbone); this config '
            f'builds {type(model).__name__} with backbone '
            f'{type(getattr(model, "backbone", None)).__name__}')
    if checkpoint not in (None, 'none'):
        if not osp.isfile(checkpoint):
            raise FileNotFoundError(f'checkpoint not found: {checkpoint}')
        load_checkpoint(model, checkpoint, map_location='cpu')
    model.eval()
    return model


def set_hr_size(model: DHLNEstimator,
                shape: Optional[Sequence[int]] = None) -> int:
    """Scale the estimator's LR sizes to an HR crop side (``--shape``).

    The heatmap and SR sizes follow (the HR / heatmap ratio, hence the
    codec's decoding scale, is unchanged).

    Args:
        model (DHLNEstimator): Estimator, changed in place.
        shape (Sequence[int], optional): H or (H, W), square. None keeps
            the config's size.

    Returns:
        int: The HR crop side.
    """
    decoder = getattr(model.head, 'decoder', None)
    base = int(decoder.input_size[1]) if decoder is not None else None
    if not shape:
        if base is None:
            raise ValueError('the head has no decoder (codec): pass --shape')
        return base
    if len(shape) not in (1, 2) or shape[0] != shape[-1]:
        raise ValueError(f'--shape takes one side or two equal sides '
                         f'(square crops), got {list(shape)}')
    side = int(shape[0])
    base = base or side
    sizes = [model.lr_size] + ([model.lr_upsample_to]
                               if model.lr_upsample_to else [])
    if any(s * side % base for s in sizes):
        raise ValueError(f'--shape {side}: the LR sizes {sizes} of the '
                         f'{base}x{base} config do not scale to it')
    model.lr_size = model.lr_size * side // base
    if model.lr_upsample_to:
        model.lr_upsample_to = model.lr_upsample_to * side // base
    return side


def lr_faces(model: DHLNEstimator, hr: Tensor) -> Tensor:
    """The ONNX input for HR crops: ``bicubic_degrade(hr, lr_size)``."""
    return bicubic_degrade(hr, model.lr_size)


def export(model: DHLNEstimator,
           out_file: str,
           hr_size: int,
           opset: int = 17,
           fuse: bool = True) -> str:
    """Write the ONNX graph of :class:`DHLNOnnxModel`.

    Args:
        model (DHLNEstimator): Eval-mode estimator (left unchanged).
        out_file (str): ``.onnx`` path.
        hr_size (int): HR crop side the graph is traced for.
        opset (int): ONNX opset. Defaults to 17.
        fuse (bool): Fold Conv + BatchNorm first. Defaults to True.

    Returns:
        str: ``out_file``.
    """
    import onnx
    wrapper = DHLNOnnxModel(deepcopy(model)).eval()
    if fuse:
        fuse_conv_bn(wrapper)
    dummy = lr_faces(model, torch.rand(1, 3, hr_size, hr_size))
    names = output_names(model)
    if osp.dirname(out_file):
        os.makedirs(osp.dirname(out_file), exist_ok=True)
    with warnings.catch_warnings(), torch.no_grad():
        warnings.simplefilter('ignore')  # tracer warnings on shape checks
        torch.onnx.export(
            wrapper, (dummy, ),
            out_file,
            input_names=['lr_face'],
            output_names=names,
            dynamic_axes={n: {0: 'batch'} for n in ['lr_face'] + names},
            opset_version=opset,
            do_constant_folding=True)
    onnx.checker.check_model(onnx.load(out_file))
    return out_file


def random_faces(num: int, size: int, seed: int = 0) -> Tensor:
    """Smooth random RGB images in [0, 1], (num, 3, size, size)."""
    gen = torch.Generator().manual_seed(seed)
    coarse = torch.rand(num, 3, max(size // 8, 2), max(size // 8, 2),
                        generator=gen)
    fine = torch.rand(num, 3, size, size, generator=gen)
    smooth = F.interpolate(coarse, size=(size, size), mode='bilinear',
                           align_corners=False)
    return (0.8 * smooth + 0.2 * fine).clamp(0, 1)


def verify(model: DHLNEstimator,
           onnx_file: str,
           hr_size: int,
           num_faces: int = 8,
           seed: int = 0) -> Dict[str, float]:
    """Compare onnxruntime's outputs and decoded landmarks with PyTorch's.

    The reference is the plain eval-mode estimator (``extract_feat``:
    degradation + DHLN, no folding) decoded by its head's codec; the ONNX
    heatmaps are decoded by the same codec.

    Args:
        model (DHLNEstimator): Eval-mode estimator.
        onnx_file (str): Exported graph.
        hr_size (int): HR crop side of the test faces.
        num_faces (int): Test faces (one batch). Defaults to 8.
        seed (int): Seed of the test faces. Defaults to 0.

    Returns:
        dict: ``max_landmark_diff_px`` (HR-crop pixels; NaN without a
        landmark stream), ``max_heatmap_diff``, ``max_sr_diff``.
    """
    import onnxruntime as ort
    hr = random_faces(num_faces, hr_size, seed)
    with torch.no_grad():
        feats = model.extract_feat(hr)
    session = ort.InferenceSession(
        onnx_file, providers=['CPUExecutionProvider'])
    outs = dict(
        zip(output_names(model),
            session.run(None, {'lr_face': lr_faces(model, hr).numpy()})))
    result = dict(max_landmark_diff_px=float('nan'),
                  max_heatmap_diff=float('nan'),
                  max_sr_diff=float('nan'))
    if feats.heatmaps is not None:
        ref_hm = feats.heatmaps[-1]
        ort_hm = torch.from_numpy(outs['heatmaps'])
        result['max_heatmap_diff'] = float((ref_hm - ort_hm).abs().max())
        ref_kpts = np.stack([p.keypoints for p in model.head.decode(ref_hm)])
        ort_kpts = np.stack([p.keypoints for p in model.head.decode(ort_hm)])
        result['max_landmark_diff_px'] = float(
            np.abs(ref_kpts - ort_kpts).max())
    if feats.sr is not None:
        ref_sr = feats.sr.clamp(0, 1)
        result['max_sr_diff'] = float(
            (ref_sr - torch.from_numpy(outs['sr_face'])).abs().max())
    return result
