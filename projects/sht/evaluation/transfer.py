"""How well FPTN transfers a face to another pose, against doing nothing.

On held-out pairs of views (j, k) of test faces, FPTN renders view j in the
pose of view k from the ground-truth heatmaps, ``I_ger = G(I_j, H_j, H_k)``
(and k in the pose of j). Each transfer is compared with the real view
(``I_tar``) by the mean absolute error over pixels and channels (RGB in
[0, 1]) and by PSNR on Y; the *identity* baseline compares the condition face
itself with the target view. A generator that learned the transfer beats
the identity baseline in both.
"""
from typing import Dict, Iterable

import numpy as np
import torch
from torch import Tensor

from .functional.image_quality import psnr_y


def to_uint8_rgb(faces: Tensor) -> np.ndarray:
    """(N, 3, H, W) RGB in [0, 1] -> (N, H, W, 3) uint8."""
    faces = faces.detach().clamp(0, 1).mul(255).round().to(torch.uint8)
    return faces.permute(0, 2, 3, 1).cpu().numpy()


def transfer_errors(fake: Tensor, cond: Tensor,
                    target: Tensor) -> Dict[str, np.ndarray]:
    """Per-transfer errors of FPTN and of the identity baseline.

    Args:
        fake (Tensor): I_ger (N, 3, H, W), RGB in [0, 1].
        cond (Tensor): I_con (N, 3, H, W).
        target (Tensor): I_tar (N, 3, H, W).

    Returns:
        dict[str, np.ndarray]: ``l1_fptn``, ``l1_identity`` (mean absolute
        error of each transfer) and ``psnr_fptn``, ``psnr_identity`` (dB on
        Y), each (N,).
    """
    out = {}
    tgt = to_uint8_rgb(target)
    for name, faces in (('fptn', fake), ('identity', cond)):
        out[f'l1_{name}'] = (faces.clamp(0, 1) - target).abs().flatten(
            1).mean(1).cpu().numpy()
        out[f'psnr_{name}'] = np.array(
            [psnr_y(a, b) for a, b in zip(to_uint8_rgb(faces), tgt)])
    return out


@torch.no_grad()
def evaluate_transfer(model, batches: Iterable[dict]) -> Dict[str, float]:
    """Mean transfer errors of an ``SHTEstimator``'s FPTN on pair batches.

    Args:
        model (SHTEstimator): With FPTN built (a training model).
        batches (iterable[dict]): ``pair_collate`` batches of labeled views
            whose pipeline generates target heatmaps (``GenerateTarget``).

    Returns:
        dict[str, float]: Means of :func:`transfer_errors` over every
        transfer (both directions of each pair) and ``num_transfers``.
    """
    if not getattr(model, 'with_fptn', False):
        raise ValueError('evaluate_transfer needs a model with FPTN built '
                         '(a model config with fptn=dict(...) and train_cfg)')
    was_training = model.training
    model.eval()
    parts: Dict[str, list] = {}
    try:
        for batch in batches:
            data = model.data_preprocessor(batch, False)
            inputs = data['inputs']
            views = model.fptn_pairs(
                inputs, model.gt_heatmaps(data['data_samples'], inputs),
                inputs)
            fake = model.generator(views['cond_face'],
                                   views['cond_heatmaps'],
                                   views['tgt_heatmaps'])
            for key, value in transfer_errors(fake, views['cond_face'],
                                              views['tgt_face']).items():
                parts.setdefault(key, []).append(value)
    finally:
        model.train(was_training)
    if not parts:
        raise ValueError('evaluate_transfer: no batch given')
    result = {k: float(np.mean(np.concatenate(v))) for k, v in parts.items()}
    result['num_transfers'] = int(sum(len(v) for v in parts['l1_fptn']))
    return result
