"""Training-step sections of ``tools/analysis/benchmark.py``.

- :func:`bench_train`: DHLN (``train_batch`` images, Eq. 4) and SHT
  (``train_pairs`` pairs, Eq. 9, generator and discriminator optimizers)
  steps, interleaved;
- :func:`bench_checkpointing`: the SHT step with activation checkpointing
  (``with_cp``) at the paper's 8 pairs, timed directly, and the step with
  and without checkpointing at one pair count that fits without it (the
  time ratio), interleaved in one model (``with_cp`` is switched between
  calls).

Batches are synthetic: HR crops in [0, 255] with heatmap targets encoded
by the config's codec from random landmarks.
"""
import os.path as osp
from typing import Dict, Optional, Tuple

import numpy as np
import torch

from ..models.backbones.checkpointing import set_with_cp
from .benchmarking import interleaved

PAPER_PAIRS = 8
# SHT configs: timing only, no VGG-19 weights download
NO_VGG = {'model.fptn.perceptual_loss.vgg_weights': None}


def synthetic_train_batch(cfg, num: int, seed: int = 0) -> dict:
    """A dataloader-style batch of ``num`` faces.

    Args:
        cfg (mmengine.Config): Config with ``codec`` and ``model.head``.
        num (int): Faces (SHT pairs are consecutive faces).
        seed (int): Seed of the landmarks. Defaults to 0.

    Returns:
        dict: ``inputs`` (list of (3, H, W) tensors in [0, 255]) and
        ``data_samples`` (``PoseDataSample`` with heatmap targets).
    """
    from mmengine.structures import InstanceData, PixelData
    from mmpose.registry import KEYPOINT_CODECS
    from mmpose.structures import PoseDataSample
    codec = KEYPOINT_CODECS.build(cfg.codec)
    w, h = codec.input_size
    k = cfg.model.head.num_keypoints
    rng = np.random.default_rng(seed)
    inputs, samples = [], []
    for i in range(num):
        inputs.append(torch.rand(3, h, w) * 255)
        kpts = rng.uniform(0.2, 0.8, (1, k, 2)) * np.array([w, h])
        enc = codec.encode(kpts.astype(np.float32), np.ones((1, k)))
        sample = PoseDataSample(metainfo=dict(
            img_path=f'synthetic_{i}.png', labeled=True, input_size=(w, h)))
        sample.gt_fields = PixelData(
            heatmaps=torch.from_numpy(enc['heatmaps']))
        sample.gt_instance_labels = InstanceData(
            keypoint_weights=torch.from_numpy(
                enc['keypoint_weights'].astype(np.float32)))
        samples.append(sample)
    return dict(inputs=inputs, data_samples=samples)


def build_trainable(path: str, device: str,
                    options: Optional[Dict] = None) -> Tuple:
    """(config, train-mode model on ``device``, optim wrapper) of a
    config, with ``options`` merged in."""
    from mmengine.config import Config
    from mmengine.optim import build_optim_wrapper
    from mmengine.registry import init_default_scope
    from mmpose.registry import MODELS
    cfg = Config.fromfile(path)
    cfg.merge_from_dict(options or {})
    init_default_scope(cfg.get('default_scope', 'mmpose'))
    model = MODELS.build(cfg.model).to(device)
    model.train()
    return cfg, model, build_optim_wrapper(model, cfg.optim_wrapper)


def _rel(path: str, root: str) -> str:
    return osp.relpath(path, root) if root else path


def bench_train(dhln_path: str, sht_path: str, device: str,
                train_batch: int, train_pairs: int, repeats: int,
                timer: str = 'wall', root: str = '') -> dict:
    """DHLN and SHT training steps (``train_step``), interleaved.

    DHLN runs on ``train_batch`` images, SHT on ``train_pairs`` pairs with
    both optimizers. When fewer than the paper's 8 pairs are timed, the
    8-pair step is extrapolated linearly (marked ``extrapolated``); the
    direct 8-pair measurement is :func:`bench_checkpointing`'s. The SHT /
    DHLN ratio compares the 8-pair step with the DHLN step.

    Returns:
        dict: ``dhln``, ``sht`` (timings, peak memory, rates) and
        ``sht_over_dhln_step``.
    """
    cfg_d, dhln, optim_d = build_trainable(dhln_path, device)
    cfg_s, sht_model, optim_s = build_trainable(sht_path, device, NO_VGG)
    sht_model.train_mode = 'sht'
    batch_d = synthetic_train_batch(cfg_d, train_batch)
    batch_s = synthetic_train_batch(cfg_s, 2 * train_pairs, seed=1)
    calls = {
        'dhln': lambda: dhln.train_step(batch_d, optim_d),
        'sht': lambda: sht_model.train_step(batch_s, optim_s),
    }
    times = interleaved(calls, repeats, 1, device, 'training steps', timer)
    d, s = times['dhln'], times['sht']
    sht_8 = s['median_s'] * PAPER_PAIRS / train_pairs
    return dict(
        dhln=dict(d, config=_rel(dhln_path, root), images=train_batch,
                  images_per_s=train_batch / d['median_s']),
        sht=dict(s, config=_rel(sht_path, root), pairs=train_pairs,
                 pairs_per_s=train_pairs / s['median_s'],
                 step_s_8_pairs=sht_8,
                 extrapolated=train_pairs != PAPER_PAIRS),
        sht_over_dhln_step=sht_8 / d['median_s'])


def bench_checkpointing(sht_path: str, device: str, cp_pairs: int,
                        plain_pairs: int, repeats: int,
                        timer: str = 'wall', root: str = '',
                        amp: bool = False) -> dict:
    """SHT steps with and without activation checkpointing.

    One SHT model and optimizer; ``with_cp`` of DHLN, the generator and
    both discriminators is switched on or off before each call
    (:func:`set_with_cp`). Calls, interleaved:

    - ``cp@{cp_pairs}``: with checkpointing at ``cp_pairs`` (the paper's
      8) pairs: its peak memory and step time;
    - ``plain@{plain_pairs}`` and ``cp@{plain_pairs}``: without and with it
      at a pair count that fits without (the time ratio).

    The first (warm-up) call of each measures its peak memory; with
    ``repeats=0`` its time is also the timing (one step per call: the
    8-pair step takes minutes on a CPU).

    Args:
        sht_path (str): SHT config.
        device (str): ``'cpu'`` or ``'cuda...'``.
        cp_pairs (int): Pairs of the checkpointed step.
        plain_pairs (int): Pairs of the ratio's two steps.
        repeats (int): Timed rounds after the warm-up (0: time the
            warm-up call).
        timer (str): ``'wall'`` or ``'cpu'`` (see :func:`interleaved`).
        root (str): Paths in the result are relative to it.
        amp (bool): Run the steps under ``torch.autocast`` (CUDA: fp16
            through mmengine's ``AmpOptimWrapper``). Defaults to False.

    Returns:
        dict: per call its timings and memory (``peak_mib``: CUDA
        allocated / CPU process RSS peak; ``delta_mib`` above the memory
        in use before it), plus ``cp_over_plain_step`` (time ratio at
        ``plain_pairs``) and ``cp_peak_gib`` (peak at ``cp_pairs``).
    """
    options = dict(NO_VGG)
    if amp and not device.startswith('cuda'):
        raise ValueError('AMP training steps need CUDA (mmengine\'s '
                         'AmpOptimWrapper)')
    if amp:
        options.update({'optim_wrapper.generator.type': 'AmpOptimWrapper',
                        'optim_wrapper.discriminator.type':
                        'AmpOptimWrapper'})
    cfg, model, optim = build_trainable(sht_path, device, options)
    model.train_mode = 'sht'
    if not set_with_cp(model, False):
        raise ValueError(f'{sht_path}: no module with a with_cp option')
    batches = {
        p: synthetic_train_batch(cfg, 2 * p, seed=p)
        for p in {cp_pairs, plain_pairs}
    }

    def step(pairs: int, cp: bool):

        def call() -> None:
            set_with_cp(model, cp)
            model.train_step(batches[pairs], optim)

        return call

    cp_key, plain_key = f'cp@{cp_pairs}', f'plain@{plain_pairs}'
    cp_same = f'cp@{plain_pairs}'
    calls = {cp_key: step(cp_pairs, True), plain_key: step(plain_pairs, False)}
    if cp_same != cp_key:
        calls[cp_same] = step(plain_pairs, True)
    times = interleaved(calls, repeats, 1, device, 'checkpointing steps',
                        timer)
    set_with_cp(model, False)
    out = dict(config=_rel(sht_path, root), amp=amp, calls=times,
               cp_pairs=cp_pairs, plain_pairs=plain_pairs)
    out['cp_over_plain_step'] = (times[cp_same]['median_s'] /
                                 times[plain_key]['median_s'])
    out['cp_peak_gib'] = times[cp_key]['peak_mib'] / 1024
    return out
