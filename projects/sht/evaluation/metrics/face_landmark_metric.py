"""Face-alignment metric: NME under five normalisations, AUC and FR, per
subset (Tables 1-4 and 6)."""
import os.path as osp
from typing import Dict, List, Optional, Sequence, Tuple, Union

import numpy as np
from mmengine.evaluator import BaseMetric
from mmengine.logging import MMLogger

from mmpose.registry import METRICS
from ..functional import (box_diagonal, box_size, ced_auc, face_nme,
                          face_width, failure_rate, group_by_subset,
                          interocular, interpupil, plot_ced)
from .utils import as_array

#: Normalisation modes and what they divide the mean point error by.
NORM_MODES = {
    'io': 'inter-ocular distance (outer eye corners)',
    'ip': 'inter-pupil distance (eye centres = mean of each eye\'s points)',
    'box': 'face box size (box_size, else sqrt(w * h) of the GT box)',
    'diag': 'diagonal of the ground-truth box',
    'wid': 'face width (max - min of the ground-truth x)',
}

#: Default outer eye corners per keypoint count (0-based).
DEFAULT_OUTER_EYE_CORNERS = {68: (36, 45), 98: (60, 72)}
#: Default landmarks of each eye per keypoint count (0-based).
DEFAULT_EYE_POINTS = {
    68: (tuple(range(36, 42)), tuple(range(42, 48))),
    98: (tuple(range(60, 68)), tuple(range(68, 76))),
}

EyeIndex = Union[int, Sequence[int]]


@METRICS.register_module()
class FaceLandmarkMetric(BaseMetric):
    """Per-image NME, CED AUC and failure rate of facial landmarks.

    For each image, NME is the mean Euclidean error over its visible
    landmarks divided by a normalising distance; the reported NME is the mean
    over images. Every figure is reported **in percent**: ``NME_<mode>``
    (mean NME x 100), ``AUC_<mode>@<t>`` (area under the CED on [0, t] / t,
    x 100) and ``FR_<mode>@<t>`` (percentage of images with NME > t), where
    ``t`` is a fraction of the normaliser (0.1 = the tables' "10").

    Each key is reported for the whole test set and, as ``<key>/<subset>``,
    for every subset tag the dataset puts in ``data_sample['subsets']``
    (e.g. ``NME_io/common``). Samples with ``labeled=False`` or without any
    visible ground-truth landmark are skipped (and counted in the log).

    Normalisation modes (``norm_modes``):

    - ``'io'``: distance of the outer eye corners (68 points: 36 and 45;
      98 points: 60 and 72).
    - ``'ip'``: distance of the eye centres, each the mean of that eye's
      points (68 points: 36-41 / 42-47; 98 points: 60-67 / 68-75).
    - ``'box'``: the face box size: the sample's ``box_size`` when the
      dataset gives one (mmpose's AFLW json, the usual NME_box of AFLW),
      otherwise ``sqrt(w * h)`` of the ground-truth box.
    - ``'diag'``: the ground-truth box diagonal.
    - ``'wid'``: face width, max - min of the visible ground-truth x.

    Args:
        norm_modes (Sequence[str]): Normalisations to report.
        thresholds (Sequence[float]): CED thresholds ``t`` (fractions) of
            AUC and FR, e.g. ``(0.1, )`` for WFLW, ``(0.07, )`` for AFLW.
        left_eye (int | Sequence[int], optional): Overrides the default eye
            indices (needed for layouts other than 68 / 98 points): for
            ``'io'`` one outer-corner index, for ``'ip'`` the eye's indices
            (an int is taken as the eye centre itself, e.g. CelebA's five
            points). Given together with ``right_eye``.
        right_eye (int | Sequence[int], optional): See ``left_eye``.
        ced_dir (str, optional): If set, a CED plot ``ced_<mode>.png`` with
            one curve for the whole set and one per subset is written there
            for every mode at each evaluation.
        box_size_key (str, optional): Sample key of a given face box size
            used by ``'box'``; ``None`` always uses ``sqrt(w * h)`` of the
            ground-truth box.
        prefix (str, optional): Prefix of the result keys (none by default).
        collect_device (str): ``'cpu'`` or ``'gpu'``, for distributed runs.
    """
    # '' (not None): result keys carry no prefix unless one is given
    default_prefix = ''

    def __init__(self,
                 norm_modes: Sequence[str] = ('io', ),
                 thresholds: Sequence[float] = (0.1, ),
                 left_eye: Optional[EyeIndex] = None,
                 right_eye: Optional[EyeIndex] = None,
                 ced_dir: Optional[str] = None,
                 box_size_key: Optional[str] = 'box_size',
                 prefix: Optional[str] = None,
                 collect_device: str = 'cpu') -> None:
        super().__init__(collect_device=collect_device, prefix=prefix)
        if isinstance(norm_modes, str):
            norm_modes = (norm_modes, )
        unknown = [m for m in norm_modes if m not in NORM_MODES]
        if unknown or len(norm_modes) == 0:
            raise ValueError(f'norm_modes must be a non-empty subset of '
                             f'{list(NORM_MODES)}, got {list(norm_modes)}')
        self.norm_modes = tuple(norm_modes)
        if isinstance(thresholds, (int, float)):
            thresholds = (thresholds, )
        if any(not 0 < t for t in thresholds):
            raise ValueError('thresholds are fractions of the normaliser and '
                             f'must be > 0, got {list(thresholds)}')
        self.thresholds = tuple(float(t) for t in thresholds)
        if (left_eye is None) != (right_eye is None):
            raise ValueError('give both left_eye and right_eye, or neither')
        self.left_eye = left_eye
        self.right_eye = right_eye
        self.ced_dir = ced_dir
        self.box_size_key = box_size_key

    # ------------------------------------------------------------------
    def eye_indices(self, mode: str,
                    num_keypoints: int) -> Tuple[EyeIndex, EyeIndex]:
        """Landmark indices of the two eyes used by ``'io'`` or ``'ip'``.

        Args:
            mode (str): ``'io'`` or ``'ip'``.
            num_keypoints (int): Number of landmarks K of the layout.

        Returns:
            tuple: (left, right) indices (int for corners, tuples for eyes).
        """
        if self.left_eye is not None:
            if mode == 'io' and not (np.isscalar(self.left_eye)
                                     and np.isscalar(self.right_eye)):
                raise ValueError(
                    "norm mode 'io' needs one outer-corner index per eye; "
                    f'got left_eye={self.left_eye}, '
                    f'right_eye={self.right_eye}')
            return self.left_eye, self.right_eye
        table = (DEFAULT_OUTER_EYE_CORNERS
                 if mode == 'io' else DEFAULT_EYE_POINTS)
        if num_keypoints not in table:
            raise ValueError(
                f"norm mode '{mode}' has default eye indices only for "
                f'{sorted(table)}-point layouts, not {num_keypoints} points; '
                'pass left_eye=... and right_eye=... to FaceLandmarkMetric '
                "(or use a box-based mode such as 'box' or 'diag')")
        return table[num_keypoints]

    def process(self, data_batch: dict, data_samples: Sequence[dict]) -> None:
        """Keep each sample's predicted and ground-truth landmarks.

        Args:
            data_batch (dict): The batch from the dataloader (unused).
            data_samples (Sequence[dict]): Packed samples with
                ``gt_instances`` (``keypoints`` (1, K, 2),
                ``keypoints_visible`` (1, K), ``bboxes`` (1, 4) xyxy),
                ``pred_instances.keypoints`` (1, K, 2) in image coordinates
                and optionally ``subsets`` and ``labeled``.
        """
        for sample in data_samples:
            gt = sample['gt_instances']
            gt_points = as_array(gt['keypoints']).reshape(-1, 2)
            num_keypoints = gt_points.shape[0]
            pred_points = as_array(
                sample['pred_instances']['keypoints']).reshape(-1, 2)
            if pred_points.shape != gt_points.shape:
                raise ValueError(
                    f'sample {sample.get("img_path", "")!r}: predicted '
                    f'landmarks {pred_points.shape} vs ground truth '
                    f'{gt_points.shape}')
            if 'keypoints_visible' in gt:
                visible = as_array(gt['keypoints_visible']).reshape(-1)
                visible = visible[:num_keypoints] > 0
            else:
                visible = np.ones(num_keypoints, dtype=bool)
            bbox = (as_array(gt['bboxes']).reshape(-1)[:4]
                    if 'bboxes' in gt else np.full(4, np.nan))
            given_box_size = np.nan
            if self.box_size_key is not None \
                    and sample.get(self.box_size_key) is not None:
                given_box_size = float(sample[self.box_size_key])
            for mode in self.norm_modes:
                if mode in ('io', 'ip'):
                    self.eye_indices(mode, num_keypoints)  # fail fast
            labeled = bool(sample.get('labeled', True)) and visible.any()
            self.results.append(
                dict(
                    pred=pred_points.astype(np.float64),
                    gt=gt_points.astype(np.float64),
                    visible=visible,
                    bbox=bbox.astype(np.float64),
                    box_size=given_box_size,
                    subsets=tuple(sample.get('subsets', ()) or ()),
                    labeled=labeled,
                    img_path=sample.get('img_path', '')))

    def normalizers(self,
                    mode: str,
                    gt: np.ndarray,
                    visible: np.ndarray,
                    bboxes: np.ndarray,
                    given_box_size: Optional[np.ndarray] = None
                    ) -> np.ndarray:
        """Per-image normalising distance of one mode.

        Args:
            mode (str): One of ``'io'``, ``'ip'``, ``'box'``, ``'diag'``,
                ``'wid'``.
            gt (np.ndarray): Ground-truth landmarks, shape (N, K, 2).
            visible (np.ndarray): Visibility, shape (N, K).
            bboxes (np.ndarray): Ground-truth boxes xyxy, shape (N, 4).
            given_box_size (np.ndarray, optional): Box sizes given by the
                dataset, shape (N,); NaN where absent. Used by ``'box'``.

        Returns:
            np.ndarray: Normalisers, shape (N,).
        """
        if mode == 'io':
            return interocular(gt, *self.eye_indices(mode, gt.shape[1]))
        if mode == 'ip':
            return interpupil(gt, *self.eye_indices(mode, gt.shape[1]))
        if mode == 'wid':
            return face_width(gt, visible)
        if given_box_size is None:
            given_box_size = np.full(len(gt), np.nan)
        from_bbox = np.isnan(given_box_size) if mode == 'box' else np.ones(
            len(gt), dtype=bool)
        if np.isnan(bboxes[from_bbox]).any():
            raise ValueError(f"norm mode '{mode}' needs the ground-truth "
                             "boxes in data_sample['gt_instances']['bboxes']")
        if mode == 'diag':
            return box_diagonal(bboxes)
        norm = given_box_size.copy()
        if from_bbox.any():
            norm[from_bbox] = box_size(bboxes[from_bbox])
        return norm

    def per_image_nme(self, results: List[dict]) -> Dict[str, np.ndarray]:
        """Per-image NME (fractions) of every mode, shape (N,) each."""
        gt = np.stack([r['gt'] for r in results])
        pred = np.stack([r['pred'] for r in results])
        visible = np.stack([r['visible'] for r in results])
        bboxes = np.stack([r['bbox'] for r in results])
        given_box_size = np.array([r['box_size'] for r in results])
        errors = {}
        for mode in self.norm_modes:
            norm = self.normalizers(mode, gt, visible, bboxes, given_box_size)
            bad = np.flatnonzero(~(norm > 0))
            if bad.size:
                raise ValueError(
                    f"norm mode '{mode}': normaliser {norm[bad[0]]} of "
                    f'{results[bad[0]]["img_path"]!r} is not positive')
            errors[mode] = face_nme(pred, gt, norm, visible)
        return errors

    def compute_metrics(self, results: list) -> Dict[str, float]:
        """Reduce the kept samples to the reported figures (in percent).

        Args:
            results (list): What :meth:`process` kept, gathered over ranks.

        Returns:
            dict[str, float]: ``NME_<mode>``, ``AUC_<mode>@<t>``,
            ``FR_<mode>@<t>`` and their ``/<subset>`` variants.
        """
        logger = MMLogger.get_current_instance()
        labeled = [r for r in results if r['labeled']]
        skipped = len(results) - len(labeled)
        if skipped:
            logger.info(f'{self.__class__.__name__}: skipped {skipped} '
                        'samples without landmark annotations')
        if not labeled:
            logger.warning(f'{self.__class__.__name__}: no labeled sample '
                           'to evaluate')
            return {}
        subsets = [r['subsets'] for r in labeled]
        metrics = {}
        for mode, nme in self.per_image_nme(labeled).items():
            groups = group_by_subset(nme, subsets)
            for name, values in groups.items():
                suffix = '' if name == 'all' else f'/{name}'
                metrics[f'NME_{mode}{suffix}'] = float(values.mean() * 100)
                for t in self.thresholds:
                    metrics[f'AUC_{mode}@{t:g}{suffix}'] = ced_auc(
                        values, t) * 100
                    metrics[f'FR_{mode}@{t:g}{suffix}'] = failure_rate(
                        values, t) * 100
            if self.ced_dir is not None:
                out_file = osp.join(self.ced_dir, f'ced_{mode}.png')
                plot_ced(
                    groups,
                    max(self.thresholds),
                    out_file,
                    title=f'CED of NME_{mode}: {NORM_MODES[mode]}',
                    xlabel=f'NME_{mode} (%)')
                logger.info(f'CED plot saved to {out_file}')
        return metrics
