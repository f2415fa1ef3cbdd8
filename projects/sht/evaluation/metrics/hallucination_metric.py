"""Face-hallucination metric: PSNR and SSIM on Y, per subset (Tables 1, 5)."""
from typing import Dict, Optional, Sequence

import numpy as np
from mmengine.evaluator import BaseMetric
from mmengine.logging import MMLogger

from mmpose.registry import METRICS
from ..functional import group_by_subset, psnr_y, ssim_y
from .utils import float_chw_to_uint8_hwc, uint8_chw_to_hwc


@METRICS.register_module()
class HallucinationMetric(BaseMetric):
    """PSNR / SSIM of the hallucinated face against the HR crop.

    The prediction is ``data_sample['pred_face']['img']``, a (3, H, W) float
    RGB image in [0, 1] in HR-crop coordinates; the ground truth is the HR
    crop ``data_batch['inputs'][i]`` as the dataloader gives it (uint8
    (3, H, W), BGR unless ``gt_channel_order='rgb'``). Both are turned into
    uint8 RGB (``round(clip(x, 0, 1) * 255)`` for the prediction) and
    measured on the BT.601 Y channel with :func:`psnr_y` / :func:`ssim_y`.

    Keys: ``PSNR`` (dB) and ``SSIM`` (mean over images), plus
    ``PSNR/<subset>`` and ``SSIM/<subset>`` for every subset tag in
    ``data_sample['subsets']``. Samples without ``pred_face`` (a model with
    its SR stream off) are skipped and counted in the log.

    Args:
        crop_border (int): Pixels removed from each border before measuring.
        gt_channel_order (str): Channel order of ``data_batch['inputs']``,
            ``'bgr'`` (mmpose's image loading) or ``'rgb'``.
        prefix (str, optional): Prefix of the result keys (none by default).
        collect_device (str): ``'cpu'`` or ``'gpu'``, for distributed runs.
    """
    # '' (not None): result keys carry no prefix unless one is given
    default_prefix = ''

    def __init__(self,
                 crop_border: int = 0,
                 gt_channel_order: str = 'bgr',
                 prefix: Optional[str] = None,
                 collect_device: str = 'cpu') -> None:
        super().__init__(collect_device=collect_device, prefix=prefix)
        if crop_border < 0:
            raise ValueError(f'crop_border must be >= 0, got {crop_border}')
        if gt_channel_order not in ('bgr', 'rgb'):
            raise ValueError("gt_channel_order must be 'bgr' or 'rgb', "
                             f'got {gt_channel_order!r}')
        self.crop_border = int(crop_border)
        self.gt_channel_order = gt_channel_order

    def process(self, data_batch: dict, data_samples: Sequence[dict]) -> None:
        """Measure PSNR / SSIM of each sample with a hallucinated face.

        Args:
            data_batch (dict): The batch from the dataloader; ``inputs`` is a
                list (or stacked tensor) of uint8 (3, H, W) HR crops.
            data_samples (Sequence[dict]): Packed predictions; those with
                ``pred_face.img`` (3, H, W) are measured.
        """
        inputs = data_batch['inputs']
        if len(inputs) != len(data_samples):
            raise ValueError(f'{len(inputs)} HR crops in the batch but '
                             f'{len(data_samples)} predictions')
        for hr_img, sample in zip(inputs, data_samples):
            subsets = tuple(sample.get('subsets', ()) or ())
            pred_face = sample.get('pred_face', None)
            if pred_face is None or 'img' not in pred_face:
                self.results.append(dict(skipped=True, subsets=subsets))
                continue
            sr = float_chw_to_uint8_hwc(pred_face['img'])
            hr = uint8_chw_to_hwc(
                hr_img, bgr_to_rgb=self.gt_channel_order == 'bgr')
            if sr.shape != hr.shape:
                raise ValueError(
                    f'sample {sample.get("img_path", "")!r}: hallucinated '
                    f'face {sr.shape[:2]} and HR crop {hr.shape[:2]} differ '
                    'in size')
            self.results.append(
                dict(
                    skipped=False,
                    psnr=psnr_y(sr, hr, self.crop_border),
                    ssim=ssim_y(sr, hr, self.crop_border),
                    subsets=subsets))

    def compute_metrics(self, results: list) -> Dict[str, float]:
        """Average PSNR / SSIM over the whole set and every subset.

        Args:
            results (list): What :meth:`process` kept, gathered over ranks.

        Returns:
            dict[str, float]: ``PSNR``, ``SSIM`` and ``/<subset>`` variants.
        """
        logger = MMLogger.get_current_instance()
        measured = [r for r in results if not r['skipped']]
        skipped = len(results) - len(measured)
        if skipped:
            logger.warning(f'{self.__class__.__name__}: skipped {skipped} of '
                           f'{len(results)} samples without a hallucinated '
                           'face (pred_face)')
        if not measured:
            return {}
        subsets = [r['subsets'] for r in measured]
        metrics = {}
        for key in ('psnr', 'ssim'):
            values = np.array([r[key] for r in measured])
            for name, group in group_by_subset(values, subsets).items():
                suffix = '' if name == 'all' else f'/{name}'
                metrics[f'{key.upper()}{suffix}'] = float(group.mean())
        return metrics
