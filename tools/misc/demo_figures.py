"""Pictures of the SHT demo (tools/misc/run_demo.py).

Every function writes one PNG with matplotlib's Agg backend and returns its
path: the faces (LR | bicubic | hallucinated | HR with landmarks), predicted
heatmaps, FPTN pose transfers of video frame pairs, CED curves and the loss
curves of the four training phases.
"""
import glob
import json
import os
import os.path as osp
from typing import Dict, List, Sequence, Tuple

import matplotlib

matplotlib.use('Agg')
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import torch  # noqa: E402
import torch.nn.functional as F  # noqa: E402

from sht.evaluation.checkpoint_eval import FaceRecord  # noqa: E402
from sht.evaluation.functional import plot_ced, psnr_y  # noqa: E402
from sht.models.degradation import bicubic_degrade  # noqa: E402

# Landmarks whose single heatmaps are shown (68-point layout).
SHOWN_LANDMARKS = {36: 'outer eye corner', 30: 'nose tip', 48: 'mouth corner'}


def to_uint8_hwc(img: np.ndarray) -> np.ndarray:
    """(3, H, W) float RGB in [0, 1] -> (H, W, 3) uint8."""
    return np.round(np.clip(img, 0, 1) * 255).astype(np.uint8).transpose(
        1, 2, 0)


def lr_view(hr: np.ndarray, lr_size: int) -> np.ndarray:
    """The LR face the model sees (bicubic down-sampling), shown with
    nearest-neighbour pixels at the HR size."""
    tensor = torch.from_numpy(hr).permute(2, 0, 1)[None].float() / 255.
    lr = bicubic_degrade(tensor, lr_size)
    up = F.interpolate(lr, size=hr.shape[:2], mode='nearest')
    return to_uint8_hwc(up[0].numpy())


def _show(ax, img: np.ndarray, title: str = '') -> None:
    ax.imshow(img, interpolation='nearest')
    ax.set_xticks([])
    ax.set_yticks([])
    if title:
        ax.set_title(title, fontsize=8)


def _save(fig, out_file: str) -> str:
    os.makedirs(osp.dirname(osp.abspath(out_file)), exist_ok=True)
    fig.savefig(out_file, dpi=110, bbox_inches='tight')
    plt.close(fig)
    return out_file


def plot_face_grid(baseline: Sequence[FaceRecord],
                   first: Sequence[FaceRecord],
                   last: Sequence[FaceRecord],
                   lr_size: int,
                   out_file: str,
                   crop_border: int = 4) -> str:
    """One row per face: LR input | bicubic | hallucinated after phase 1 |
    after the last phase | HR with the final model's predicted (red) and
    the true (green) landmarks. Tiles carry their PSNR (Y, dB) against the
    HR crop."""
    rows = min(len(baseline), len(first), len(last))
    titles = ['LR input', 'bicubic', 'DHLN (phase 1)', 'SHT (phase 4)',
              'HR + final landmarks\n(red: predicted, green: true)']
    fig, axes = plt.subplots(rows, 5, figsize=(9, 1.9 * rows), squeeze=False)
    for i in range(rows):
        hr = last[i].hr
        faces = [baseline[i].sr, first[i].sr, last[i].sr]
        _show(axes[i, 0], lr_view(hr, lr_size), titles[0] if i == 0 else '')
        for col, face in enumerate(faces, start=1):
            if face is None:
                axes[i, col].axis('off')
                continue
            img = to_uint8_hwc(face)
            psnr = psnr_y(img, hr, crop_border)
            head = f'{titles[col]}\n' if i == 0 else ''
            _show(axes[i, col], img, f'{head}{psnr:.2f} dB')
        _show(axes[i, 4], hr, titles[4] if i == 0 else '')
        axes[i, 4].scatter(*last[i].gt.T, s=4, c='lime', label='true')
        axes[i, 4].scatter(*last[i].pred.T, s=4, c='red', label='predicted')
    return _save(fig, out_file)


def plot_heatmaps(records: Sequence[FaceRecord], out_file: str) -> str:
    """Per face: HR crop under the max over all predicted heatmaps, and the
    heatmaps of three single landmarks."""
    records = [r for r in records if r.heatmaps is not None]
    if not records:
        return ''
    cols = 1 + len(SHOWN_LANDMARKS)
    fig, axes = plt.subplots(len(records), cols, figsize=(2 * cols,
                                                          2 * len(records)),
                             squeeze=False)
    for i, rec in enumerate(records):
        size = rec.hr.shape[:2]
        hms = torch.from_numpy(rec.heatmaps)[None].float()
        hms = F.interpolate(hms, size=size, mode='bilinear',
                            align_corners=False)[0].numpy()
        _show(axes[i, 0], rec.hr, 'all heatmaps (max)' if i == 0 else '')
        axes[i, 0].imshow(hms.max(0).clip(0, 1), cmap='jet', alpha=0.5)
        for col, (k, name) in enumerate(SHOWN_LANDMARKS.items(), start=1):
            _show(axes[i, col], rec.hr, f'#{k} {name}' if i == 0 else '')
            axes[i, col].imshow(hms[k].clip(0, 1), cmap='jet', alpha=0.6)
            axes[i, col].scatter(*rec.gt[k], s=12, facecolors='none',
                                 edgecolors='lime')
    return _save(fig, out_file)


@torch.no_grad()
def fptn_transfers(model, batch: dict) -> Dict[str, torch.Tensor]:
    """FPTN on pairs of views ``[j0, k0, j1, ...]``: view j rendered in the
    pose of view k from the ground-truth heatmaps (FPTN pretraining), and
    from DHLN's hallucinated face and heatmaps (as SHT uses it, Eq. 9).

    Returns:
        dict: ``hr_j``, ``hr_k``, ``fake_gt``, ``fake_dhln``, each
        (P, 3, H, W) RGB in [0, 1].
    """
    data = model.data_preprocessor(batch, False)
    inputs = data['inputs']
    hr_j, hr_k = model.split_pairs(inputs)
    gt_j, gt_k = model.split_pairs(
        model.gt_heatmaps(data['data_samples'], inputs))
    feats = model.extract_feat(inputs)
    sr_j, _ = model.split_pairs(feats.sr)
    hm_j, hm_k = model.split_pairs(feats.heatmaps[-1])
    return dict(
        hr_j=hr_j, hr_k=hr_k,
        fake_gt=model.generator(hr_j, gt_j, gt_k),
        fake_dhln=model.generator(sr_j.clamp(0, 1), hm_j, hm_k))


def plot_fptn_transfers(model, pair_batch: dict, out_file: str,
                        num_pairs: int = 6) -> str:
    """Held-out test pairs: view j, view k (the target pose), FPTN's
    j-in-the-pose-of-k from true heatmaps and from DHLN's outputs; tiles
    carry their PSNR (Y) against view k, the first column that of copying
    view j (the identity baseline)."""
    if not getattr(model, 'with_fptn', False):
        return ''
    out = fptn_transfers(model, pair_batch)
    titles = ['view j (condition)', 'view k (target pose)',
              'FPTN: j in pose of k\n(true heatmaps)',
              'FPTN: j in pose of k\n(DHLN face + heatmaps)']
    keys = ['hr_j', 'hr_k', 'fake_gt', 'fake_dhln']
    rows = min(num_pairs, out['hr_j'].shape[0])
    fig, axes = plt.subplots(rows, 4, figsize=(7.5, 1.9 * rows),
                             squeeze=False)
    for i in range(rows):
        target = to_uint8_hwc(out['hr_k'][i].numpy())
        for col, key in enumerate(keys):
            img = to_uint8_hwc(out[key][i].numpy())
            head = f'{titles[col]}\n' if i == 0 else ''
            note = '' if key == 'hr_k' else f'{psnr_y(img, target):.2f} dB'
            _show(axes[i, col], img, head + note)
    return _save(fig, out_file)


def plot_ced_curves(curves: Dict[str, np.ndarray], threshold: float,
                    out_file: str, x_max: float = 0.25) -> str:
    """CED of the mean shape and of every phase (NME_io), drawn up to
    ``max(threshold, x_max)`` so that the mean shape's curve shows too."""
    x_max = max(threshold, x_max)
    return plot_ced(curves, x_max, out_file,
                    title='CED, synthetic 300W test set '
                    f'(legend: AUC@{x_max:g})',
                    xlabel='NME_io (%)')


def read_scalars(work_dir: str) -> List[dict]:
    """Training scalars of the newest run in ``work_dir`` that logged any
    (``<timestamp>/vis_data/scalars.json``; an evaluation-only run logs
    none)."""
    for path in sorted(glob.glob(osp.join(work_dir, '*', 'vis_data',
                                          'scalars.json')), reverse=True):
        by_iter: Dict[int, dict] = {}
        with open(path) as f:
            for line in f:
                entry = json.loads(line)
                if 'loss' in entry and 'iter' in entry:
                    by_iter[int(entry['iter'])] = entry
        if by_iter:
            return [by_iter[k] for k in sorted(by_iter)]
    return []


def plot_loss_curves(runs: Sequence[Tuple[str, int]],
                     phase_ends: Sequence[Tuple[str, int]],
                     out_file: str) -> str:
    """Loss terms over the iterations of runs laid end to end (work dir,
    iteration offset), phase boundaries marked."""
    entries = [
        dict(e, iter=e['iter'] + offset) for work_dir, offset in runs
        for e in read_scalars(work_dir)
    ]
    if not entries:
        return ''
    groups = [('DHLN terms (Eq. 4)', ('loss_kpt', 'loss_sr', 'loss_grad')),
              ('FPTN terms (Eq. 5-8)', ('loss_pt_gan', 'loss_pt_l1',
                                        'loss_pt_perceptual', 'loss_disc'))]
    fig, axes = plt.subplots(1, 2, figsize=(11, 3.8))
    for ax, (title, keys) in zip(axes, groups):
        for key in keys:
            pts = [(e['iter'], e[key]) for e in entries
                   if key in e and e[key] > 0]
            if pts:
                ax.plot(*zip(*pts), label=key, lw=1)
        for name, end in phase_ends[:-1]:
            ax.axvline(end, color='gray', ls='--', lw=0.8)
        ax.set_yscale('log')
        ax.set_xlabel('iteration')
        ax.set_title(title, fontsize=9)
        ax.grid(True, alpha=0.3)
        if ax.get_legend_handles_labels()[0]:
            ax.legend(fontsize=7)
    starts = [0] + [end for _, end in phase_ends[:-1]]
    for ax in axes:
        low, high = ax.get_xlim()
        for (name, _), begin in zip(phase_ends, starts):
            if low <= begin <= high:
                ax.text(begin, 0.97, f' {name}', fontsize=7, rotation=90,
                        ha='left', va='top', color='dimgray',
                        transform=ax.get_xaxis_transform())
    return _save(fig, out_file)
