"""Landmarks and the hallucinated face for one face photo.

Runs a DHLN / SHT model (mmpose's ``init_model`` + ``inference_topdown``) on
the whole image or a given face box and writes one picture: the input with
the box and the predicted landmarks | the low-resolution face the model sees
(the HR crop degraded by bicubic down-sampling, shown with its pixels) | the
hallucinated face with the landmarks in it.

Example:
    python demo/image_demo.py face.jpg configs/sht/demo/sht_synthetic.py \\
        work_dirs/demo/iter_1000.pth --out face_sht.png
    python demo/image_demo.py photo.jpg CONFIG CHECKPOINT \\
        --bbox 120 80 260 220 --out out.png
"""
import argparse
import os
import os.path as osp
import sys
from typing import List, Optional, Sequence

import cv2
import numpy as np
import torch
import torch.nn.functional as F

ROOT = osp.abspath(osp.join(osp.dirname(__file__), '..'))
sys.path.insert(0, osp.join(ROOT, 'projects'))
import sht  # noqa: E402,F401  (before mmengine: hides a torch notice)

from mmpose.apis import inference_topdown, init_model  # noqa: E402
from mmpose.structures.bbox import get_warp_matrix  # noqa: E402

from sht.models.degradation import bicubic_degrade  # noqa: E402

PANEL = 256  # height of each panel of the output picture


def parse_args(argv: Optional[List[str]] = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        description='Draw facial landmarks and the hallucinated face.')
    parser.add_argument('img', help='image file')
    parser.add_argument('config', help='model config')
    parser.add_argument('checkpoint', help='checkpoint file')
    parser.add_argument('--out', required=True, help='output picture (PNG)')
    parser.add_argument('--bbox', type=float, nargs=4,
                        metavar=('X1', 'Y1', 'X2', 'Y2'),
                        help='face box (pixels); default: the whole image')
    parser.add_argument('--device', default='cpu', help='e.g. cpu, cuda:0')
    parser.add_argument('--radius', type=int, default=2,
                        help='landmark radius in the output')
    return parser.parse_args(argv)


def draw_points(img: np.ndarray, points: np.ndarray, radius: int,
                color=(0, 0, 255)) -> np.ndarray:
    """Draw (K, 2) points (pixels) on a copy of a BGR image."""
    out = img.copy()
    for x, y in np.asarray(points).reshape(-1, 2):
        cv2.circle(out, (int(round(x)), int(round(y))), radius, color, -1,
                   cv2.LINE_AA)
    return out


def to_height(img: np.ndarray, height: int, nearest: bool = False):
    """Resize to ``height``; returns the image and the scale used."""
    scale = height / img.shape[0]
    size = (max(1, int(round(img.shape[1] * scale))), height)
    interp = cv2.INTER_NEAREST if nearest else cv2.INTER_LINEAR
    return cv2.resize(img, size, interpolation=interp), scale


def crop_face(img: np.ndarray, center: Sequence[float],
              scale: Sequence[float], size: int) -> np.ndarray:
    """The HR face crop the pipeline made (``TopdownAffine``, no rotation).
    """
    warp = get_warp_matrix(np.asarray(center, np.float32),
                           np.asarray(scale, np.float32), 0.,
                           (size, size))
    return cv2.warpAffine(img, warp, (size, size), flags=cv2.INTER_LINEAR)


def lr_face(crop_bgr: np.ndarray, lr_size: int) -> np.ndarray:
    """The crop degraded as the model degrades it (bicubic, ``lr_size``)."""
    rgb = torch.from_numpy(crop_bgr[..., ::-1].copy()).permute(2, 0, 1)
    lr = bicubic_degrade(rgb[None].float() / 255., lr_size)
    img = (lr[0].clamp(0, 1) * 255).round().byte().permute(1, 2, 0).numpy()
    return img[..., ::-1].copy()


def compose(panels: Sequence[np.ndarray], titles: Sequence[str]):
    """Panels side by side with a title strip above each."""
    out = []
    for panel, title in zip(panels, titles):
        strip = np.full((24, panel.shape[1], 3), 255, np.uint8)
        cv2.putText(strip, title, (4, 17), cv2.FONT_HERSHEY_SIMPLEX, 0.5,
                    (0, 0, 0), 1, cv2.LINE_AA)
        out.append(np.vstack([strip, panel]))
        out.append(np.full((out[-1].shape[0], 6, 3), 255, np.uint8))
    return np.hstack(out[:-1])


def main(argv: Optional[List[str]] = None) -> str:
    args = parse_args(argv)
    img = cv2.imread(args.img, cv2.IMREAD_COLOR)
    if img is None:
        raise SystemExit(f'{args.img}: not found or not an image')
    h, w = img.shape[:2]
    if args.bbox is not None:
        x1, y1, x2, y2 = args.bbox
        if not (x2 > x1 and y2 > y1):
            raise SystemExit(f'--bbox {args.bbox}: expected X1 Y1 X2 Y2 with '
                             'X2 > X1 and Y2 > Y1')
        bboxes = np.array([args.bbox], dtype=np.float32)
    else:
        bboxes = np.array([[0, 0, w, h]], dtype=np.float32)

    model = init_model(args.config, args.checkpoint, device=args.device)
    sample = inference_topdown(model, img, bboxes)[0]
    points = sample.pred_instances.keypoints[0]
    meta = sample.metainfo
    size = int(meta['input_size'][0])
    center, scale = meta['input_center'], meta['input_scale']
    crop_points = ((points - center) / scale + 0.5) * size

    # panel 1: the photo, box and landmarks
    photo, k = to_height(img, PANEL)
    box = (bboxes[0] * k).round().astype(int)
    photo = cv2.rectangle(photo, tuple(box[:2]), tuple(box[2:]),
                          (0, 200, 0), 1)
    photo = draw_points(photo, points * k, args.radius)
    # panel 2: what the model sees
    crop = crop_face(img, center, scale, size)
    low, _ = to_height(lr_face(crop, model.lr_size), PANEL, nearest=True)
    panels = [photo, low]
    titles = ['input + landmarks', f'model input ({model.lr_size}px)']
    # panel 3: the hallucinated face, landmarks in crop coordinates
    if 'pred_face' in sample:
        face = sample.pred_face.img
        face = face if isinstance(face, torch.Tensor) else torch.as_tensor(
            face)
        face = F.interpolate(face[None].float().clamp(0, 1), size=(PANEL,
                                                                   PANEL),
                             mode='bicubic', align_corners=False)[0]
        face = (face.clamp(0, 1) * 255).round().byte().permute(1, 2, 0)
        face = face.cpu().numpy()[..., ::-1].copy()
        panels.append(draw_points(face, crop_points * PANEL / size,
                                  args.radius))
        titles.append(f'hallucinated ({size}px) + points')
    out = compose(panels, titles)
    os.makedirs(osp.dirname(osp.abspath(args.out)), exist_ok=True)
    if not cv2.imwrite(args.out, out):
        raise SystemExit(f'{args.out}: cannot write the picture')
    print(f'{args.out}: {len(points)} landmarks')
    return args.out


if __name__ == '__main__':
    main()
