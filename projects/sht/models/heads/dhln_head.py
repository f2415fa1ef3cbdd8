"""DHLN head: the Eq. 4 loss and heatmap decoding.

DHLN's backbone already outputs the heatmaps of every stack and the
hallucinated face, so this head has no layers: it computes

    L_DH = gamma1 * sum_t ||H_t - H*||_2^2        (intermediate supervision)
         + gamma2 * ||I_SR - I_HR||_1
         + gamma3 * ||G(I_SR) - G(I_HR)||_1      (G: gradient map, Eq. 3)

(Eq. 4; each norm sums over one image's elements and the batch averages
them, the project's loss convention in ``sht.models.losses.reduction``; the
stack terms are summed), with gamma1 = 0 for every sample whose
metainfo says ``labeled=False`` (Eq. 10), and decodes the last stack's
heatmaps with an mmpose codec.
"""
from typing import List, Sequence, Union

import numpy as np
import torch
from mmengine.structures import InstanceData, PixelData
from mmpose.evaluation.functional import pose_pck_accuracy
from mmpose.models.heads.base_head import BaseHead
from mmpose.models.utils.tta import flip_heatmaps
from mmpose.registry import KEYPOINT_CODECS, MODELS
from mmpose.utils.tensor_utils import to_numpy
from mmpose.utils.typing import ConfigType, OptConfigType, Predictions
from torch import Tensor

from ..dhln_features import DHLNFeatures
from .heatmap_targets import stack_gt_heatmaps


@MODELS.register_module()
class DHLNHead(BaseHead):
    """Loss (Eq. 4) and decoding for the :class:`DHLN` backbone.

    Args:
        num_keypoints (int): K. Defaults to 68.
        gamma_heatmap (float): gamma1 for labeled samples. Defaults to 1.0.
        gamma_sr (float): gamma2. Defaults to 0.01.
        gamma_grad (float): gamma3. Defaults to 0.01.
        loss_heatmap (dict): Heatmap loss config; it is called as
            ``loss(pred, target, keypoint_weights)``. Defaults to
            ``HeatmapSquaredL2Loss``.
        loss_sr (dict): Image loss config. Defaults to ``PixelL1Loss``.
        loss_grad (dict): Gradient-map loss config. Defaults to
            ``GradientL1Loss``.
        decoder (dict, optional): mmpose codec config (``MSRAHeatmap`` or
            ``UDPHeatmap``) used by :meth:`predict`. Defaults to None.
        init_cfg (dict, optional): Unused (the head has no layers).
    """

    def __init__(self,
                 num_keypoints: int = 68,
                 gamma_heatmap: float = 1.0,
                 gamma_sr: float = 0.01,
                 gamma_grad: float = 0.01,
                 loss_heatmap: ConfigType = dict(type='HeatmapSquaredL2Loss'),
                 loss_sr: ConfigType = dict(type='PixelL1Loss'),
                 loss_grad: ConfigType = dict(type='GradientL1Loss'),
                 decoder: OptConfigType = None,
                 init_cfg: OptConfigType = None) -> None:
        super().__init__(init_cfg=init_cfg)
        self.num_keypoints = num_keypoints
        self.gamma_heatmap = float(gamma_heatmap)
        self.gamma_sr = float(gamma_sr)
        self.gamma_grad = float(gamma_grad)
        self.loss_heatmap = MODELS.build(loss_heatmap)
        self.loss_sr = MODELS.build(loss_sr)
        self.loss_grad = MODELS.build(loss_grad)
        self.decoder = (
            KEYPOINT_CODECS.build(decoder) if decoder is not None else None)

    def forward(self, feats: DHLNFeatures) -> Tensor:
        """The network's final output: the last stack's heatmaps
        (N, K, 64, 64), or the hallucinated face (N, 3, H, W) when the
        landmark stream is off (FHS)."""
        if feats.heatmaps is not None:
            return feats.heatmaps[-1]
        return feats.sr

    # ------------------------------------------------------------------ loss
    def _gt_heatmaps(self, batch_data_samples: Sequence,
                     heatmaps: Tensor, labeled: Tensor):
        """Targets (N, K, h, w) and keypoint weights (N, K) shaped like the
        last stack's ``heatmaps``; unlabeled samples may lack targets (zero
        target, zero weight), and the weights are masked by ``labeled``
        (N, ) (gamma1 = 0, Eq. 10)."""
        shape = tuple(heatmaps.shape[1:])
        target, present = stack_gt_heatmaps(
            batch_data_samples, heatmaps, required=(labeled > 0).tolist(),
            shape=shape, owner='DHLNHead')
        weights = []
        for d, has_target in zip(batch_data_samples, present):
            labels = d.get('gt_instance_labels', None)
            if not has_target:
                weights.append(heatmaps.new_zeros((shape[0], )))
            elif labels is not None and 'keypoint_weights' in labels:
                weights.append(
                    torch.as_tensor(labels.keypoint_weights).to(
                        heatmaps).reshape(-1))
            else:
                weights.append(heatmaps.new_ones((shape[0], )))
        weight = torch.stack(weights) * labeled[:, None]  # gamma1 mask
        return target, weight

    def loss(self,
             feats: DHLNFeatures,
             batch_data_samples: Sequence,
             train_cfg: ConfigType = {}) -> dict:
        """Eq. 4 (Eq. 10 for unlabeled samples).

        Args:
            feats (DHLNFeatures): Output of the estimator's ``extract_feat``.
            batch_data_samples (list[PoseDataSample]): With
                ``gt_fields.heatmaps`` (K, 64, 64) and
                ``gt_instance_labels.keypoint_weights`` (1, K) for labeled
                samples; ``metainfo['labeled']`` (default True).
            train_cfg (dict): ``compute_acc`` (default True).

        Returns:
            dict: ``loss_kpt`` (landmark stream on), ``loss_sr`` and
            ``loss_grad`` (SR stream on), ``acc_pose`` (PCK of the last
            stack on labeled samples).
        """
        losses = dict()
        hr = feats.hr
        labeled = hr.new_tensor([
            1.0 if d.metainfo.get('labeled', True) else 0.0
            for d in batch_data_samples
        ])
        if feats.heatmaps is not None:
            last = feats.heatmaps[-1]
            target, weight = self._gt_heatmaps(batch_data_samples, last,
                                               labeled)
            loss_kpt = sum(
                self.loss_heatmap(h, target, weight) for h in feats.heatmaps)
            losses['loss_kpt'] = self.gamma_heatmap * loss_kpt
            if train_cfg.get('compute_acc', True):
                _, avg_acc, _ = pose_pck_accuracy(
                    output=to_numpy(last),
                    target=to_numpy(target),
                    mask=to_numpy(weight) > 0)
                losses['acc_pose'] = torch.tensor(
                    avg_acc, dtype=torch.float32, device=hr.device)
        if feats.sr is not None:
            if feats.sr.shape != hr.shape:
                raise ValueError(
                    f'DHLNHead: hallucinated face {tuple(feats.sr.shape)} '
                    f'and HR target {tuple(hr.shape)} differ in shape')
            losses['loss_sr'] = self.gamma_sr * self.loss_sr(feats.sr, hr)
            losses['loss_grad'] = self.gamma_grad * self.loss_grad(
                feats.sr, hr)
        return losses

    # --------------------------------------------------------------- predict
    def _empty_predictions(self, batch_size: int) -> List[InstanceData]:
        """FHS has no landmark stream: zero keypoints with zero scores."""
        return [
            InstanceData(
                keypoints=np.zeros((1, self.num_keypoints, 2), np.float32),
                keypoint_scores=np.zeros((1, self.num_keypoints), np.float32))
            for _ in range(batch_size)
        ]

    def predict(self,
                feats: Union[DHLNFeatures, List[DHLNFeatures]],
                batch_data_samples: Sequence,
                test_cfg: ConfigType = {}) -> Predictions:
        """Decode the last stack's heatmaps (input-crop coordinates).

        Flip test as in mmpose's ``HeatmapHead.predict``: with
        ``test_cfg['flip_test']`` ``feats`` is ``[feats, feats_flipped]`` and
        the flipped heatmaps are flipped back (``flip_mode``,
        ``shift_heatmap``) and averaged.

        Args:
            feats (DHLNFeatures | list[DHLNFeatures]): Features, or the pair
                (original, flipped) for flip test.
            batch_data_samples (list[PoseDataSample]): With ``flip_indices``
                in the metainfo for flip test.
            test_cfg (dict): ``flip_test``, ``flip_mode``,
                ``shift_heatmap``, ``output_heatmaps``.

        Returns:
            list[InstanceData] (``keypoints`` (1, K, 2),
            ``keypoint_scores`` (1, K)), and with ``output_heatmaps`` also a
            list of ``PixelData(heatmaps=(K, 64, 64))``.
        """
        if test_cfg.get('flip_test', False):
            if not (isinstance(feats, list) and len(feats) == 2):
                raise ValueError('DHLNHead.predict with flip_test expects '
                                 '[feats, feats_flipped]')
            _feats, _feats_flip = feats
            batch_heatmaps = (
                _feats.heatmaps[-1]
                if _feats.heatmaps is not None else None)
            if batch_heatmaps is not None:
                flip_indices = batch_data_samples[0].metainfo['flip_indices']
                flipped = flip_heatmaps(
                    _feats_flip.heatmaps[-1],
                    flip_mode=test_cfg.get('flip_mode', 'heatmap'),
                    flip_indices=flip_indices,
                    shift_heatmap=test_cfg.get('shift_heatmap', False))
                batch_heatmaps = (batch_heatmaps + flipped) * 0.5
        else:
            batch_heatmaps = (
                feats.heatmaps[-1] if feats.heatmaps is not None else None)

        if batch_heatmaps is None:
            return self._empty_predictions(len(batch_data_samples))

        preds = self.decode(batch_heatmaps)
        if test_cfg.get('output_heatmaps', False):
            pred_fields = [
                PixelData(heatmaps=hm) for hm in batch_heatmaps.detach()
            ]
            return preds, pred_fields
        return preds
