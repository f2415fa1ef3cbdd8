"""SHT: DHLN trained through FPTN on pairs of views (Sec. 3.3, Eq. 9-10).

A batch holds pairs flattened as ``[j0, k0, j1, k1, ...]`` (views j at
``inputs[0::2]``, views k at ``inputs[1::2]``). In the ``'sht'`` training
mode DHLN runs on every view, giving last-stack heatmaps H and hallucinated
faces SR; FPTN then renders (SR_j, H_j, H_k) -> view k and (SR_k, H_k, H_j)
-> view j, compared with the HR crops (Eq. 9). Neither H nor SR is detached,
so the transfer loss L_PT trains DHLN. Labeled samples add the full L_DH
(Eq. 4); unlabeled ones add L'_DH without the heatmap term (Eq. 10,
gamma1 = 0, applied by ``DHLNHead`` from ``metainfo['labeled']``).

Training modes (the plain attribute ``train_mode``; the phase hooks set it):

- ``'dhln'``: Eq. 4 on every view; FPTN is not run and the discriminator
  side is not stepped (DHLN pretraining).
- ``'fptn'``: FPTN pretraining with ground-truth heatmaps
  (``gt_fields.heatmaps``) as poses and the HR faces as conditions; DHLN is
  not run, so it does not change. Every sample must be labeled.
- ``'sht'``: the full Eq. 9 (fine-tuning; unlabeled pairs allowed).

``train_step`` takes an ``OptimWrapperDict`` (see
``SHTOptimWrapperConstructor``) and updates in this order:

1. generator side (``optim_wrapper['generator']``: DHLN and FPTN's
   generator): the mode's losses, D_A and D_S frozen, backward and step
   under that wrapper's ``optim_context`` (AMP, accumulation);
2. discriminator side (``optim_wrapper['discriminator']``: D_A and D_S):
   Eq. 6 on the generated faces of step 1, detached, under that wrapper's
   ``optim_context``; skipped in ``'dhln'`` mode.

Every loss term is checked before its backward; a NaN or inf raises
``FloatingPointError`` naming the mode, the side and the term.

FPTN is training-only: it is built only when the config has an ``fptn``
entry AND a ``train_cfg`` (a dict, possibly empty). mmpose's ``init_model``
sets ``model.train_cfg = None``, so inference models hold DHLN alone, and
``fptn.*`` entries of training checkpoints are dropped when such a model
loads them. All calls to sub-networks go through their ``forward``, so
``MMSeparateDistributedDataParallel`` (with ``find_unused_parameters=True``:
each side leaves the other's parameters unused) can wrap them.
"""
from typing import Dict, Optional, Tuple, Union

import torch
from mmengine.logging import print_log
from mmengine.model import is_model_wrapper
from mmengine.optim import OptimWrapper, OptimWrapperDict
from mmpose.registry import MODELS
from mmpose.utils.typing import ConfigType, OptConfigType, SampleList
from torch import Tensor

from ...engine.checkpoint_keys import (unwrap_checkpoint_keys,
                                       unwrapped_state_dict_hook)
from .dhln_estimator import DHLNEstimator

TRAIN_MODES = ('dhln', 'fptn', 'sht')


@MODELS.register_module()
class SHTEstimator(DHLNEstimator):
    """DHLN with FPTN supervision on pairs of views (Eq. 9-10).

    Args:
        backbone (dict): ``DHLN`` config.
        head (dict): ``DHLNHead`` config.
        fptn (dict, optional): ``FPTN`` config; built only together with a
            ``train_cfg`` (see the module docstring). Default: None.
        train_mode (str): ``'dhln'``, ``'fptn'`` or ``'sht'``. Default:
            ``'sht'``.
        lr_size (int): See :class:`DHLNEstimator`.
        lr_upsample_to (int, optional): See :class:`DHLNEstimator`.
        train_cfg (dict, optional): Training options (passed to the head's
            loss); ``None`` means an inference model without FPTN.
        test_cfg (dict, optional): See :class:`DHLNEstimator`.
        data_preprocessor (dict, optional): See :class:`DHLNEstimator`.
        init_cfg (dict, optional): mmengine init config.
        metainfo (dict, optional): Dataset metainfo override (mmpose).
        detach_transfer_face (bool): In ``'sht'`` mode, give FPTN the
            hallucinated faces detached, so that L_PT trains DHLN through
            the heatmaps only (the paper lets it update both). Default:
            False.
    """

    def __init__(self,
                 backbone: ConfigType,
                 head: ConfigType,
                 fptn: OptConfigType = None,
                 train_mode: str = 'sht',
                 lr_size: int = 64,
                 lr_upsample_to: Optional[int] = None,
                 train_cfg: OptConfigType = None,
                 test_cfg: OptConfigType = None,
                 data_preprocessor: OptConfigType = None,
                 init_cfg: OptConfigType = None,
                 metainfo: Optional[dict] = None,
                 detach_transfer_face: bool = False) -> None:
        super().__init__(
            backbone=backbone,
            head=head,
            lr_size=lr_size,
            lr_upsample_to=lr_upsample_to,
            train_cfg=train_cfg,
            test_cfg=test_cfg,
            data_preprocessor=data_preprocessor,
            init_cfg=init_cfg,
            metainfo=metainfo)
        self.fptn = None
        if fptn is not None and train_cfg is not None:
            head_k = getattr(self.head, 'num_keypoints', None)
            fptn_k = fptn.get('num_keypoints', head_k)
            if head_k is not None and fptn_k != head_k:
                raise ValueError(
                    f'SHTEstimator: fptn.num_keypoints ({fptn_k}) and '
                    f'head.num_keypoints ({head_k}) differ')
            self.fptn = MODELS.build(dict(fptn, num_keypoints=fptn_k))
        self.train_mode = train_mode
        self.detach_transfer_face = bool(detach_transfer_face)
        self.register_load_state_dict_pre_hook(self._drop_fptn_weights)
        # checkpoints of distributed runs (a DDP per child) get plain keys
        self.register_state_dict_post_hook(unwrapped_state_dict_hook)

    # ------------------------------------------------------------ helpers
    @property
    def train_mode(self) -> str:
        """Current training mode: ``'dhln'``, ``'fptn'`` or ``'sht'``."""
        return self._train_mode

    @train_mode.setter
    def train_mode(self, mode: str) -> None:
        if mode not in TRAIN_MODES:
            raise ValueError(f'SHTEstimator.train_mode must be one of '
                             f'{TRAIN_MODES}, got {mode!r}')
        self._train_mode = mode

    @property
    def with_fptn(self) -> bool:
        """Whether FPTN was built (training models only)."""
        return self.fptn is not None

    def _fptn_module(self):
        """The FPTN module itself, under a distributed wrapper if any."""
        fptn = self.fptn
        while is_model_wrapper(fptn):
            fptn = fptn.module
        return fptn

    def _drop_fptn_weights(self, module, state_dict, prefix, *args) -> None:
        """Load-state-dict pre-hook: ``<child>.module.*`` entries (older
        checkpoints of distributed runs) load as ``<child>.*``, and a model
        without FPTN ignores the ``fptn.*`` entries of a training
        checkpoint."""
        unwrap_checkpoint_keys(self, state_dict, prefix)
        if self.fptn is not None:
            return
        dropped = [k for k in state_dict if k.startswith(prefix + 'fptn.')]
        for key in dropped:
            del state_dict[key]
        if dropped:
            print_log(
                f'SHTEstimator: ignored {len(dropped)} FPTN entries of the '
                'checkpoint (FPTN is training-only)', logger='current')

    @staticmethod
    def check_finite(losses: Dict[str, Tensor], mode: str,
                     side: str) -> None:
        """Raise ``FloatingPointError`` if any loss term is NaN or inf."""
        for name, value in losses.items():
            if 'loss' in name and not torch.isfinite(value).all():
                raise FloatingPointError(
                    f'SHTEstimator: non-finite loss in training mode '
                    f'{mode!r} ({side} side): {name} = '
                    f'{value.detach().cpu().tolist()}')

    def _require_fptn(self, mode: str) -> None:
        if self.fptn is None:
            raise RuntimeError(
                f'SHTEstimator: training mode {mode!r} needs FPTN, which is '
                'built only when the model config has both fptn=dict(...) '
                'and a train_cfg')

    @staticmethod
    def split_pairs(inputs: Tensor) -> Tuple[Tensor, Tensor]:
        """Views j (``inputs[0::2]``) and k (``inputs[1::2]``)."""
        if inputs.shape[0] == 0 or inputs.shape[0] % 2:
            raise ValueError(
                'SHTEstimator: FPTN training needs pairs of views flattened '
                'as [j0, k0, j1, k1, ...] (pair_collate); got a batch of '
                f'{inputs.shape[0]} samples')
        return inputs[0::2], inputs[1::2]

    @staticmethod
    def gt_heatmaps(data_samples: SampleList, like: Tensor) -> Tensor:
        """Stack ground-truth heatmaps (N, K, h, w) of labeled samples."""
        heatmaps = []
        for i, sample in enumerate(data_samples):
            path = sample.metainfo.get('img_path', '?')
            if not sample.metainfo.get('labeled', True):
                raise ValueError(
                    f"SHTEstimator: training mode 'fptn' uses ground-truth "
                    f'heatmaps, but sample {i} ({path}) is unlabeled')
            fields = sample.get('gt_fields', None)
            if fields is None or 'heatmaps' not in fields:
                raise ValueError(
                    f'SHTEstimator: sample {i} ({path}) has no '
                    'gt_fields.heatmaps; add GenerateTarget with a heatmap '
                    'codec to the training pipeline')
            heatmaps.append(torch.as_tensor(fields.heatmaps).to(like))
        return torch.stack(heatmaps)

    # ------------------------------------------------------- generator side
    def fptn_pairs(self, faces: Tensor, heatmaps: Tensor,
                   hr: Tensor) -> Dict[str, Tensor]:
        """FPTN inputs for both directions of every pair.

        Args:
            faces (Tensor): Condition faces of all views (2P, 3, H, W).
            heatmaps (Tensor): Heatmaps of all views (2P, K, h, w).
            hr (Tensor): HR crops of all views (2P, 3, H, W).

        Returns:
            dict: ``cond_face``, ``cond_heatmaps``, ``tgt_heatmaps``,
            ``tgt_face``, each (2P, ...): rows j -> k first, then k -> j.
        """
        face_j, face_k = self.split_pairs(faces)
        hm_j, hm_k = self.split_pairs(heatmaps)
        hr_j, hr_k = self.split_pairs(hr)
        return dict(
            cond_face=torch.cat([face_j, face_k]),
            cond_heatmaps=torch.cat([hm_j, hm_k]),
            tgt_heatmaps=torch.cat([hm_k, hm_j]),
            tgt_face=torch.cat([hr_k, hr_j]))

    def generator_forward(
        self, inputs: Tensor, data_samples: SampleList
    ) -> Tuple[Dict[str, Tensor], Optional[Dict[str, Tensor]]]:
        """Losses of the generator side in the current mode.

        Args:
            inputs (Tensor): HR crops (2P, 3, H, W) RGB in [0, 1], pairs
                flattened (any N in ``'dhln'`` mode).
            data_samples (list[PoseDataSample]): One per view.

        Returns:
            tuple: (losses, FPTN batch) where the FPTN batch holds the
            inputs of :meth:`fptn_pairs` plus ``fake_face`` for the
            discriminator side (None in ``'dhln'`` mode). In ``'sht'`` mode
            the losses are L_DH / L'_DH terms (``loss_kpt``, ``loss_sr``,
            ``loss_grad``) and L_PT generator terms (``loss_pt_gan``,
            ``loss_pt_l1``, ``loss_pt_perceptual``), each averaged over the
            batch (views, resp. both transfer directions of all pairs).
        """
        mode = self.train_mode
        if mode == 'dhln':
            return self.forward_dhln(inputs, data_samples).losses, None
        self._require_fptn(mode)
        if mode == 'fptn':
            losses = {}
            batch = self.fptn_pairs(inputs,
                                     self.gt_heatmaps(data_samples, inputs),
                                     inputs)
        else:
            outputs = self.forward_dhln(inputs, data_samples)
            feats = outputs.feats
            if feats.heatmaps is None or feats.sr is None:
                raise ValueError(
                    "SHTEstimator: training mode 'sht' needs both DHLN "
                    'streams (heatmaps and hallucinated faces)')
            losses = dict(outputs.losses)
            faces = feats.sr.detach() if self.detach_transfer_face \
                else feats.sr
            batch = self.fptn_pairs(faces, feats.heatmaps[-1], inputs)
        pt_losses, fake_face = self.fptn('generator', batch['cond_face'],
                                         batch['cond_heatmaps'],
                                         batch['tgt_heatmaps'],
                                         batch['tgt_face'])
        losses.update(pt_losses)
        batch['fake_face'] = fake_face
        return losses, batch

    def loss(self, inputs: Tensor, data_samples: SampleList) -> dict:
        """Generator-side losses of the current training mode."""
        return self.generator_forward(inputs, data_samples)[0]

    # ------------------------------------------------------------ training
    def train_step(self, data: Union[dict, tuple, list],
                   optim_wrapper: Union[OptimWrapperDict, OptimWrapper]
                   ) -> Dict[str, Tensor]:
        """One update: generator side, then discriminator side.

        Args:
            data (dict | tuple | list): A batch from the dataloader.
            optim_wrapper (OptimWrapperDict): ``generator`` and
                ``discriminator`` wrappers. A single ``OptimWrapper`` is
                accepted in ``'dhln'`` mode only.

        Returns:
            dict[str, Tensor]: Log variables: ``loss`` (generator side
            total) and its terms, and in ``'fptn'``/``'sht'`` modes
            ``loss_disc`` (discriminator side total) and its terms.
        """
        mode = self.train_mode
        if not isinstance(optim_wrapper, OptimWrapperDict):
            if mode == 'dhln':
                return super().train_step(data, optim_wrapper)
            raise TypeError(
                f'SHTEstimator: training mode {mode!r} needs an '
                'OptimWrapperDict with "generator" and "discriminator" '
                '(optim_wrapper constructor SHTOptimWrapperConstructor), '
                f'got {type(optim_wrapper).__name__}')
        gen_wrapper = optim_wrapper['generator']
        fptn = self._fptn_module()
        if fptn is not None:
            fptn.set_discriminators_trainable(False)
        try:
            with gen_wrapper.optim_context(self):
                data = self.data_preprocessor(data, True)
                losses, batch = self.generator_forward(
                    data['inputs'], data['data_samples'])
            self.check_finite(losses, mode, 'generator')
            gen_total, log_vars = self.parse_losses(losses)
            gen_wrapper.update_params(gen_total)
        finally:
            if fptn is not None:
                fptn.set_discriminators_trainable(True)
        if batch is None:
            return log_vars

        disc_wrapper = optim_wrapper['discriminator']
        with disc_wrapper.optim_context(self):
            disc_losses = self.fptn('discriminator', batch['fake_face'],
                                    batch['cond_face'], batch['tgt_heatmaps'],
                                    batch['tgt_face'])
        self.check_finite(disc_losses, mode, 'discriminator')
        disc_total, disc_log_vars = self.parse_losses(disc_losses)
        disc_wrapper.update_params(disc_total)
        disc_log_vars.pop('loss')
        log_vars['loss_disc'] = disc_total
        log_vars.update(disc_log_vars)
        return log_vars
