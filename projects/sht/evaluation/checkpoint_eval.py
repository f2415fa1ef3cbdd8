"""Evaluate predictors (models or baselines) on cached test batches.

One pass gives the configured metrics (``FaceLandmarkMetric``,
``HallucinationMetric``), the per-face NME_io (for CED curves and paired
comparisons) and a few faces to draw.
"""
import math
from dataclasses import dataclass
from typing import Callable, Dict, List, Optional, Tuple

import numpy as np
import torch
from mmengine.evaluator import Evaluator
from mmpose.structures import PoseDataSample
from tqdm import tqdm

from .baselines import normalised_landmarks
from .functional import face_nme, interocular
from .metrics.face_landmark_metric import DEFAULT_OUTER_EYE_CORNERS

Predictor = Callable[[dict], List[PoseDataSample]]


@dataclass
class FaceRecord:
    """One test face as the pictures need it.

    Attributes:
        hr (np.ndarray): HR crop (H, W, 3) uint8 RGB.
        sr (np.ndarray | None): Predicted face (3, H, W) RGB in [0, 1].
        heatmaps (np.ndarray | None): Predicted heatmaps (K, h, w).
        pred (np.ndarray): Predicted landmarks (K, 2), HR-crop pixels.
        gt (np.ndarray): True landmarks (K, 2), HR-crop pixels.
    """
    hr: np.ndarray
    sr: Optional[np.ndarray]
    heatmaps: Optional[np.ndarray]
    pred: np.ndarray
    gt: np.ndarray


def crop_points(points: np.ndarray, meta: dict) -> np.ndarray:
    """Image-space landmarks (K, 2) -> pixels of the unrotated HR crop."""
    size = np.asarray(meta['input_size'], dtype=np.float64)
    norm = normalised_landmarks(points, np.asarray(meta['input_center']),
                                np.asarray(meta['input_scale']))
    return norm * size


def per_image_nme(preds: np.ndarray, gts: np.ndarray) -> np.ndarray:
    """NME_io of each face (a fraction), (N,), for 68 or 98 landmarks."""
    corners = DEFAULT_OUTER_EYE_CORNERS.get(gts.shape[1])
    if corners is None:
        raise ValueError(f'per_image_nme: no outer eye corners known for '
                         f'{gts.shape[1]} landmarks (68 or 98)')
    return face_nme(preds, gts, interocular(gts, *corners))


def model_predictor(model) -> Predictor:
    """``model.test_step`` on a copy of the batch's samples."""

    @torch.no_grad()
    def predict(batch: dict) -> List[PoseDataSample]:
        samples = [sample.clone() for sample in batch['data_samples']]
        return model.test_step(dict(batch, data_samples=samples))

    return predict


def _record(hr: torch.Tensor, sample: PoseDataSample) -> FaceRecord:
    meta = sample.metainfo
    heatmaps = (sample.pred_fields.heatmaps.cpu().numpy()
                if 'pred_fields' in sample else None)
    face = (sample.pred_face.img.cpu().numpy()
            if 'pred_face' in sample else None)
    return FaceRecord(
        hr=hr.flip(0).permute(1, 2, 0).numpy(),
        sr=face,
        heatmaps=heatmaps,
        pred=crop_points(sample.pred_instances.keypoints[0], meta),
        gt=crop_points(sample.gt_instances.keypoints[0], meta))


def evaluate(predict: Predictor, batches: List[dict], evaluator_cfg,
             dataset_meta: dict, desc: str, num_show: int = 0
             ) -> Tuple[Dict[str, float], np.ndarray, List[FaceRecord]]:
    """Run ``predict`` over the test batches.

    Returns:
        tuple: metrics of ``evaluator_cfg``, per-face NME_io (N,), and a
        :class:`FaceRecord` for each of the first ``num_show`` faces.
    """
    evaluator = Evaluator(evaluator_cfg)
    evaluator.dataset_meta = dataset_meta
    preds, gts, records = [], [], []
    num_faces = 0
    for batch in tqdm(batches, desc=desc, unit='batch', leave=False):
        num_faces += len(batch['inputs'])
        samples = predict(batch)
        evaluator.process(samples, batch)
        for hr, sample in zip(batch['inputs'], samples):
            preds.append(sample.pred_instances.keypoints[0])
            gts.append(sample.gt_instances.keypoints[0])
            if len(records) < num_show:
                records.append(_record(hr, sample))
    metrics = evaluator.evaluate(num_faces)
    nme = per_image_nme(np.stack(preds), np.stack(gts))
    return metrics, nme, records


def metric_row(name: str, metrics: Dict[str, float],
               threshold: float) -> Dict[str, float]:
    """One table row: NME_io, AUC / FR at ``threshold``, PSNR, SSIM (NaN
    where the metrics lack them)."""
    return dict(
        name=name,
        NME_io=metrics.get('NME_io', math.nan),
        AUC=metrics.get(f'AUC_io@{threshold:g}', math.nan),
        FR=metrics.get(f'FR_io@{threshold:g}', math.nan),
        PSNR=metrics.get('PSNR', math.nan),
        SSIM=metrics.get('SSIM', math.nan))


def format_rows(rows: List[dict], threshold: float) -> str:
    """Markdown table of :func:`metric_row` rows ('-' for NaN)."""
    head = ('| model | NME_io (%) | AUC@{t} (%) | FR@{t} (%) | PSNR (dB) | '
            'SSIM |'.format(t=f'{threshold:g}'))
    lines = [head, '|---|---:|---:|---:|---:|---:|']

    def cell(value: float, digits: int) -> str:
        return '-' if math.isnan(value) else f'{value:.{digits}f}'

    for row in rows:
        cells = [cell(row[k], 2) for k in ('NME_io', 'AUC', 'FR', 'PSNR')]
        lines.append(f"| {row['name']} | " + ' | '.join(cells) +
                     f" | {cell(row['SSIM'], 4)} |")
    return '\n'.join(lines)
