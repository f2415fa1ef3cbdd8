"""Top-down pose estimator for DHLN: degrades the HR crop, runs DHLN.

The data pipeline crops the HR face (``TopdownAffine`` at the HR size) and
the data preprocessor (``mean=[0, 0, 0], std=[255, 255, 255],
bgr_to_rgb=True``) turns it into RGB in [0, 1]. This estimator makes the LR
input from it by bicubic degradation (128 -> 16 -> bicubic up to 64, or
256 -> 64) and keeps the HR crop as the face hallucination target.

Predictions: ``pred_instances`` hold keypoints in image coordinates (as every
mmpose top-down model) and, when the SR stream is on, ``pred_face.img`` holds
the hallucinated face, a (3, H, W) RGB tensor in [0, 1] in HR-crop
coordinates (the ``TopdownAffine`` crop, not the original image).
"""
from typing import Optional

import torch
from mmengine.structures import BaseDataElement, PixelData
from mmpose.models.pose_estimators import TopdownPoseEstimator
from mmpose.registry import MODELS
from mmpose.utils.typing import ConfigType, OptConfigType, SampleList
from torch import Tensor

from ..degradation import bicubic_degrade
from ..dhln_features import DHLNFeatures, DHLNOutputs

# tolerance on the [0, 1] input range check (catches a missing std=255)
_RANGE_SLACK = 0.05


def own_fields(fields: BaseDataElement) -> None:
    """Replace every tensor of ``fields`` that is a view of a larger tensor
    (e.g. one sample's heatmaps (K, h, w) of the batch's (N, K, h, w)) with
    a copy of its own size, so that pickling one sample stores one sample.
    """
    for key, value in list(fields.items()):
        if isinstance(value, Tensor) and (
                value.untyped_storage().nbytes() >
                value.numel() * value.element_size()):
            fields.set_field(value.clone(), key)


@MODELS.register_module()
class DHLNEstimator(TopdownPoseEstimator):
    """DHLN as an mmpose top-down estimator.

    Args:
        backbone (dict): ``DHLN`` config.
        head (dict): ``DHLNHead`` config.
        lr_size (int): Side of the degraded LR image (64 for the "-M"
            setting, 16 for CelebA/Helen). Defaults to 64.
        lr_upsample_to (int, optional): Bicubic up-sampling of the LR image
            before DHLN (64 for CelebA/Helen, None for "-M").
            Defaults to None.
        train_cfg (dict, optional): Passed to the head's ``loss``.
        test_cfg (dict, optional): ``flip_test``, ``flip_mode``,
            ``shift_heatmap``, ``output_heatmaps`` as in mmpose, and
            ``output_face`` (default True): return the hallucinated face;
            False skips DHLN's SR tail (landmarks only, the same ones);
            ``face_in_instances`` (default False): also put the face in
            ``pred_instances.hallucinated_face`` (1, 3, H, W), so that it
            follows its instance through mmpose's merging and filtering
            (``MMPoseInferencer``).
        data_preprocessor (dict, optional): Should give RGB in [0, 1]:
            ``PoseDataPreprocessor(mean=[0, 0, 0], std=[255, 255, 255],
            bgr_to_rgb=True)``.
        init_cfg (dict, optional): mmengine init config.
        metainfo (dict, optional): Dataset metainfo override (mmpose).
    """

    def __init__(self,
                 backbone: ConfigType,
                 head: ConfigType,
                 lr_size: int = 64,
                 lr_upsample_to: Optional[int] = None,
                 train_cfg: OptConfigType = None,
                 test_cfg: OptConfigType = None,
                 data_preprocessor: OptConfigType = None,
                 init_cfg: OptConfigType = None,
                 metainfo: Optional[dict] = None) -> None:
        backbone_k = backbone.get('num_keypoints', None)
        head_k = head.get('num_keypoints', None)
        if backbone_k is not None and head_k is not None \
                and backbone_k != head_k:
            raise ValueError(
                f'DHLNEstimator: backbone.num_keypoints ({backbone_k}) and '
                f'head.num_keypoints ({head_k}) differ')
        super().__init__(
            backbone=backbone,
            head=head,
            train_cfg=train_cfg,
            test_cfg=test_cfg,
            data_preprocessor=data_preprocessor,
            init_cfg=init_cfg,
            metainfo=metainfo)
        self.lr_size = int(lr_size)
        self.lr_upsample_to = (
            int(lr_upsample_to) if lr_upsample_to is not None else None)

    @property
    def with_landmark_stream(self) -> bool:
        """Whether the backbone outputs heatmaps (False for FHS)."""
        return getattr(self.backbone, 'with_landmark_stream', True)

    def make_lr(self, hr: Tensor) -> Tensor:
        """Bicubic LR input of DHLN from the HR crops.

        Args:
            hr (Tensor): (N, 3, H, W) RGB in [0, 1].

        Returns:
            Tensor: (N, 3, s, s), s = ``lr_upsample_to or lr_size``.
        """
        return bicubic_degrade(hr, self.lr_size, self.lr_upsample_to)

    def extract_feat(self, inputs: Tensor,
                     with_face: bool = True) -> DHLNFeatures:
        """Degrade the HR crops and run DHLN.

        Args:
            inputs (Tensor): HR crops (N, 3, H, W), RGB in [0, 1].
            with_face (bool): Reconstruct the hallucinated face (False:
                ``sr`` is None, heatmaps unchanged). Defaults to True.

        Returns:
            DHLNFeatures: per-stack heatmaps, hallucinated face, HR, LR.
        """
        if inputs.dim() != 4:
            raise ValueError('DHLNEstimator expects (N, C, H, W) inputs, got '
                             f'{tuple(inputs.shape)}')
        lo, hi = float(inputs.min()), float(inputs.max())
        if lo < -_RANGE_SLACK or hi > 1 + _RANGE_SLACK:
            raise ValueError(
                f'DHLNEstimator expects HR inputs in [0, 1], got values in '
                f'[{lo:.3g}, {hi:.3g}]; use PoseDataPreprocessor('
                'mean=[0, 0, 0], std=[255, 255, 255], bgr_to_rgb=True)')
        lr = self.make_lr(inputs)
        heatmaps, sr = self.backbone(lr, with_face=with_face)
        if sr is not None and sr.shape[-2:] != inputs.shape[-2:]:
            raise ValueError(
                f'DHLNEstimator: the hallucinated face is '
                f'{tuple(sr.shape[-2:])} but the HR crop is '
                f'{tuple(inputs.shape[-2:])}; the DHLN input is '
                f'{tuple(lr.shape[-2:])}, so set backbone.sr_scale to '
                'HR size / DHLN input size (and lr_size / lr_upsample_to)')
        return DHLNFeatures(heatmaps=heatmaps, sr=sr, hr=inputs, lr=lr)

    def forward_dhln(self,
                     inputs: Tensor,
                     data_samples: SampleList,
                     with_loss: bool = True) -> DHLNOutputs:
        """Run DHLN on a batch and (optionally) its Eq. 4 loss in one call.

        Meant for estimators built on DHLN (e.g. SHT on pairs of views),
        which need the per-stack heatmaps, the hallucinated face, the HR
        target and the DHLN loss together.

        Args:
            inputs (Tensor): HR crops (N, 3, H, W), RGB in [0, 1].
            data_samples (list[PoseDataSample]): Targets for the loss.
            with_loss (bool): Compute the head loss. Defaults to True.

        Returns:
            DHLNOutputs: ``feats`` and ``losses`` (empty without loss).
        """
        feats = self.extract_feat(inputs)
        losses = (
            self.head.loss(feats, data_samples, train_cfg=self.train_cfg)
            if with_loss else dict())
        return DHLNOutputs(feats=feats, losses=losses)

    def loss(self, inputs: Tensor, data_samples: SampleList) -> dict:
        """Eq. 4 loss dict of a batch (see :class:`DHLNHead`)."""
        return self.forward_dhln(inputs, data_samples).losses

    def predict(self, inputs: Tensor, data_samples: SampleList) -> SampleList:
        """Keypoints in image coordinates plus the hallucinated face.

        Args:
            inputs (Tensor): HR crops (N, 3, H, W), RGB in [0, 1].
            data_samples (list[PoseDataSample]): With ``input_center``,
                ``input_scale``, ``input_size`` (and ``flip_indices`` for
                flip test) in the metainfo.

        Returns:
            list[PoseDataSample]: ``pred_instances`` (keypoints (1, K, 2) in
            image coordinates, keypoint_scores (1, K)), ``pred_fields``
            with ``output_heatmaps``, and ``pred_face.img`` (3, H, W) RGB in
            [0, 1], HR-crop coordinates (SR stream on; not with
            ``test_cfg['output_face'] = False``, which skips the SR tail).
        """
        feats = self.extract_feat(
            inputs, with_face=self.test_cfg.get('output_face', True))
        head_feats = feats
        if self.test_cfg.get('flip_test', False) and self.with_landmark_stream:
            # the flipped pass serves the heatmaps only
            head_feats = [
                feats, self.extract_feat(inputs.flip(-1), with_face=False)
            ]
        preds = self.head.predict(
            head_feats, data_samples, test_cfg=self.test_cfg)
        if isinstance(preds, tuple):
            batch_pred_instances, batch_pred_fields = preds
        else:
            batch_pred_instances, batch_pred_fields = preds, None
        results = self.add_pred_to_datasample(batch_pred_instances,
                                              batch_pred_fields, data_samples)
        for data_sample in results:
            if 'pred_fields' in data_sample:
                own_fields(data_sample.pred_fields)
        if feats.sr is not None:
            faces = feats.sr.detach().clamp(0.0, 1.0)
            per_instance = self.test_cfg.get('face_in_instances', False)
            for data_sample, face in zip(results, faces):
                # a copy, not a view: a pickled sample (tools/test.py
                # --dump) would otherwise hold the whole batch
                data_sample.pred_face = PixelData(img=face.clone())
                if per_instance:
                    data_sample.pred_instances.hallucinated_face = \
                        face[None].cpu().numpy()
        return results

    def _forward(self, inputs: Tensor, data_samples=None) -> torch.Tensor:
        """'tensor' mode: the head's output (last heatmaps, or the face)."""
        return self.head.forward(self.extract_feat(inputs))
