"""SHT: DHLN trained through FPTN on pairs of views (Sec. 3.3, Eq. 9-10).

A batch holds pairs flattened as ``[j0, k0, j1, k1, ...]`` (views j at
``inputs[0::2]``, views k at ``inputs[1::2]``). In the ``'sht'`` training
mode DHLN runs on every view, giving last-stack heatmaps H and hallucinated
faces SR; FPTN then renders (SR_j, H_j, H_k) -> view k and (SR_k, H_k, H_j)
-> view j, compared with the HR crops (Eq. 9). Neither H nor SR is detached,
so the transfer loss L_PT trains DHLN. Labeled samples add the full L_DH
(Eq. 4); unlabeled ones add L'_DH without the heatmap term (Eq. 10,
gamma1 = 0, applied by ``DHLNHead`` from ``metainfo['labeled']``).

Training modes (the plain attribute ``train_mode``, set by the training
schedule):

- ``'dhln'``: Eq. 4 on every view; FPTN is not run and the discriminator
  side is not stepped (DHLN pretraining).
- ``'fptn'``: FPTN pretraining with ground-truth heatmaps
  (``gt_fields.heatmaps``) as poses and the HR faces as conditions; DHLN is
  not run, so it does not change. Every sample must be labeled.
- ``'sht'``: the full Eq. 9 (fine-tuning; unlabeled pairs allowed).

FPTN (Sec. 3.2, Eq. 5-8; ``sht.models.fptn.objective``) has no module of
its own: built from the config's ``fptn`` group, its players and losses are
direct children of the estimator, next to DHLN's ``backbone`` and ``head``::

    SHTEstimator
    |- data_preprocessor, backbone (DHLN), head (DHLNHead)
    |- generator        PATBGenerator: (I_con, H_con, H_tar) -> I_ger
    |- discriminator_a  D_A, PoseTransferDiscriminator on I_con || face (6)
    |- discriminator_s  D_S, PoseTransferDiscriminator on H_tar || face (K+3)
    |- gan_loss         DualDiscriminatorGANLoss (Eq. 6)
    `- perceptual_loss  VGGPerceptualL1Loss (Eq. 8, frozen VGG-19 relu1_2)

so checkpoints hold ``backbone.*``, ``head.*``, ``generator.*``,
``discriminator_a.*``, ``discriminator_s.*`` and ``perceptual_loss.*``
(older ``fptn.<child>.*`` entries load as ``<child>.*``), and
``MMSeparateDistributedDataParallel`` (``find_unused_parameters=True``:
each side leaves the other's parameters unused) wraps each player in its own
DDP; every player is called through its own module ``__call__``.

``train_step`` takes an ``OptimWrapperDict`` (see
``SHTOptimWrapperConstructor``) and updates in this order:

1. generator side (``optim_wrapper['generator']``: DHLN and the
   generator): the mode's losses, D_A and D_S frozen (they judge I_ger with
   I_con and H_tar detached), backward and step under that wrapper's
   ``optim_context`` (AMP, accumulation);
2. discriminator side (``optim_wrapper['discriminator']``: D_A and D_S):
   Eq. 6 on the generated faces of step 1, everything detached, under that
   wrapper's ``optim_context``; skipped in ``'dhln'`` mode.

Each side's ``optim_context`` is entered for every DDP-wrapped child of that
side (``no_sync`` while accumulating), or for the estimator when nothing is
wrapped. Every loss term is checked before its backward; a NaN or inf raises
``FloatingPointError`` naming the mode, the side and the term.

FPTN is training-only: it is built only when the config has an ``fptn``
entry AND a ``train_cfg`` (a dict, possibly empty). mmpose's ``init_model``
sets ``model.train_cfg = None``, so inference models hold DHLN alone, and
the FPTN entries of training checkpoints are dropped (and counted in the
log) when such a model loads them.
"""
from typing import Dict, Optional, Tuple, Union

import torch
from mmengine.logging import print_log
from mmengine.optim import OptimWrapper, OptimWrapperDict
from mmpose.registry import MODELS
from mmpose.utils.typing import ConfigType, OptConfigType, SampleList
from torch import Tensor, nn

from ...engine.checkpoint_keys import (drop_fptn_keys,
                                       rename_legacy_fptn_keys,
                                       unwrap_checkpoint_keys,
                                       unwrapped_state_dict_hook)
from ...utils import check_finite_losses, unwrap_model
from ..fptn.objective import (DISCRIMINATOR_NAMES, build_fptn,
                              discriminator_losses, generator_losses)
from ..fptn.optim_constructor import side_context
from ..heads.heatmap_targets import stack_gt_heatmaps
from .dhln_estimator import DHLNEstimator

TRAIN_MODES = ('dhln', 'fptn', 'sht')
# The log variables of the 'sht' mode: Eq. 4 / 10 terms, Eq. 5 generator
# terms, the discriminator side's total and Eq. 6 terms.
OBJECTIVE_TERMS = ('loss_kpt', 'loss_sr', 'loss_grad', 'loss_pt_gan',
                   'loss_pt_l1', 'loss_pt_perceptual', 'loss_disc',
                   'loss_da_real', 'loss_ds_real', 'loss_da_fake',
                   'loss_ds_fake')
INIT_ORDER = ('discriminator_a', 'discriminator_s', 'generator', 'gan_loss',
              'perceptual_loss')


@MODELS.register_module()
class SHTEstimator(DHLNEstimator):
    """DHLN with FPTN supervision on pairs of views (Eq. 9-10).

    Args:
        backbone (dict): ``DHLN`` config.
        head (dict): ``DHLNHead`` config.
        fptn (dict, optional): FPTN's ``generator``, ``discriminator`` (D_A
            and D_S), ``gan_loss``, ``perceptual_loss`` and
            ``loss_weights`` (see :func:`~sht.models.fptn.build_fptn`);
            built into this model's children only together with a
            ``train_cfg`` (see the module docstring). Default: None.
        train_mode (str): ``'dhln'``, ``'fptn'`` or ``'sht'``. Default:
            ``'sht'``.
        lr_size (int): See :class:`DHLNEstimator`.
        lr_upsample_to (int, optional): See :class:`DHLNEstimator`.
        train_cfg (dict, optional): Training options (passed to the head's
            loss); ``None`` means an inference model without FPTN.
        test_cfg (dict, optional): See :class:`DHLNEstimator`.
        data_preprocessor (dict, optional): See :class:`DHLNEstimator`.
        init_cfg (dict, optional): mmengine init config (FPTN's players
            initialise themselves as PATN: N(0, 0.02) convs, identity warp).
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
        #: lambda1..3 of Eq. 5 (``gan``, ``l1``, ``perceptual``)
        self.fptn_loss_weights: Dict[str, float] = {}
        self._with_fptn = fptn is not None and train_cfg is not None
        if self._with_fptn:
            head_k = getattr(self.head, 'num_keypoints', None)
            fptn_k = fptn.get('num_keypoints', head_k)
            if head_k is not None and fptn_k != head_k:
                raise ValueError(
                    f'SHTEstimator: fptn.num_keypoints ({fptn_k}) and '
                    f'head.num_keypoints ({head_k}) differ')
            children, self.fptn_loss_weights = build_fptn(fptn, fptn_k)
            # registered D_A, D_S, G: ``init_weights`` visits the children
            # in this order, so a seed gives the weights it always gave
            for name in INIT_ORDER:
                self.add_module(name, children[name])
        self.train_mode = train_mode
        self.detach_transfer_face = bool(detach_transfer_face)
        self.register_load_state_dict_pre_hook(self._load_pre_hook)
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
        """Whether FPTN's children were built (training models only)."""
        return self._with_fptn

    def _load_pre_hook(self, module: nn.Module, state_dict: dict,
                       prefix: str, *args) -> None:
        """Load-state-dict pre-hook: older checkpoints' ``fptn.<child>.*``
        and ``<child>.module.*`` (distributed runs) entries load as
        ``<child>.*``, and a model without FPTN ignores the FPTN entries of
        a training checkpoint."""
        rename_legacy_fptn_keys(state_dict, prefix)
        unwrap_checkpoint_keys(self, state_dict, prefix)
        if self.with_fptn:
            return
        dropped = drop_fptn_keys(state_dict, prefix)
        if dropped:
            print_log(
                f'SHTEstimator: ignored {dropped} FPTN entries of the '
                'checkpoint (FPTN is training-only)', logger='current')

    @staticmethod
    def check_finite(losses: Dict[str, Tensor], mode: str,
                     side: str) -> None:
        """Raise ``FloatingPointError`` if any loss term is NaN or inf (see
        :func:`sht.utils.check_finite_losses`)."""
        check_finite_losses(
            losses, f'SHTEstimator: training mode {mode!r} ({side} side)')

    def _require_fptn(self, mode: str) -> None:
        if not self.with_fptn:
            raise RuntimeError(
                f'SHTEstimator: training mode {mode!r} needs FPTN, which is '
                'built only when the model config has both fptn=dict(...) '
                'and a train_cfg')

    def set_discriminators_trainable(self, trainable: bool) -> None:
        """Switch ``requires_grad`` of D_A and D_S (off for the G step)."""
        for name in DISCRIMINATOR_NAMES:
            getattr(self, name).requires_grad_(trainable)

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
        """Ground-truth heatmaps (N, K, h, w) of labeled samples (the poses
        of ``'fptn'`` mode), as dtype and device of ``like``."""
        for i, sample in enumerate(data_samples):
            if not sample.metainfo.get('labeled', True):
                path = sample.metainfo.get('img_path', '?')
                raise ValueError(
                    f"SHTEstimator: training mode 'fptn' uses ground-truth "
                    f'heatmaps, but sample {i} ({path}) is unlabeled')
        heatmaps, _ = stack_gt_heatmaps(
            data_samples, like, required=[True] * len(data_samples),
            owner='SHTEstimator')
        return heatmaps

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

    def fptn_losses(self, batch: Dict[str, Tensor],
                    side: str) -> Dict[str, Tensor]:
        """One side of Eq. 5-6 on an FPTN batch (:meth:`fptn_pairs` plus
        ``fake_face`` = I_ger (2P, 3, H, W)): ``'generator'``
        (:func:`~sht.models.fptn.objective.generator_losses`, weighted) or
        ``'discriminator'`` (:func:`~sht.models.fptn.objective.
        discriminator_losses`, all inputs detached)."""
        faces = (batch['fake_face'], batch['cond_face'],
                 batch['tgt_heatmaps'], batch['tgt_face'])
        players = dict(
            discriminator_a=self.discriminator_a,
            discriminator_s=self.discriminator_s,
            gan_loss=unwrap_model(self.gan_loss))
        if side == 'generator':
            return generator_losses(
                *faces,
                perceptual_loss=self.perceptual_loss,
                loss_weights=self.fptn_loss_weights,
                **players)
        return discriminator_losses(*faces, **players)

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
        batch['fake_face'] = self.generator(batch['cond_face'],
                                            batch['cond_heatmaps'],
                                            batch['tgt_heatmaps'])
        losses.update(self.fptn_losses(batch, 'generator'))
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
            total), ``loss_disc`` (discriminator side total) and every term
            of both; a model with FPTN reports every term in every mode,
            0 where the mode does not compute it (constant log columns).
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
        if self.with_fptn:
            self.set_discriminators_trainable(False)
        try:
            with side_context(self, gen_wrapper, 'generator'):
                data = self.data_preprocessor(data, True)
                losses, batch = self.generator_forward(
                    data['inputs'], data['data_samples'])
            self.check_finite(losses, mode, 'generator')
            gen_total, log_vars = self.parse_losses(losses)
            gen_wrapper.update_params(gen_total)
        finally:
            if self.with_fptn:
                self.set_discriminators_trainable(True)

        if batch is None:
            return self._every_term(log_vars)

        disc_wrapper = optim_wrapper['discriminator']
        with side_context(self, disc_wrapper, 'discriminator'):
            disc_losses = self.fptn_losses(batch, 'discriminator')
        self.check_finite(disc_losses, mode, 'discriminator')
        disc_total, disc_log_vars = self.parse_losses(disc_losses)
        disc_wrapper.update_params(disc_total)
        disc_log_vars.pop('loss')
        log_vars['loss_disc'] = disc_total
        log_vars.update(disc_log_vars)
        return self._every_term(log_vars)

    def _every_term(self, log_vars: Dict[str, Tensor]) -> Dict[str, Tensor]:
        """``log_vars`` with every term of the SHT objective, 0 where the
        mode does not compute it: the logged columns stay the same through
        the phases, and none shows the last value of an earlier phase."""
        if self.with_fptn:
            terms = list(OBJECTIVE_TERMS)
            if self.train_cfg.get('compute_acc', True):
                terms.append('acc_pose')
            zero = log_vars['loss'].new_zeros(())
            for name in terms:
                log_vars.setdefault(name, zero)
        return log_vars
