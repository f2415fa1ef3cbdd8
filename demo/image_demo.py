"""Landmarks and hallucinated faces for photos, folders of photos or videos.

Runs a DHLN / SHT model (mmpose's ``init_model`` + ``inference_topdown``)
on every face of each picture. Faces are found offline by OpenCV's Haar
cascade (``--det haar``, the default), by an mmdet face detector
(``--det CONFIG.py --det-weights CKPT``), or given (``--bbox``); when no
face is found the whole image is taken, with a warning.

For each picture it writes one image: the input with the boxes and the
predicted landmarks | for each face, the low-resolution face the model sees
(the HR crop degraded by bicubic down-sampling, shown with its pixels) and
the hallucinated face with its landmarks.

Examples:
    python demo/image_demo.py face.jpg configs/sht/demo/sht_synthetic.py \\
        work_dirs/demo/sht_seed0/iter_200.pth --out face_sht.png
    python demo/image_demo.py photo.jpg CONFIG CHECKPOINT \\
        --bbox 120 80 260 220 --out out.png
    python demo/image_demo.py photos/ CONFIG CHECKPOINT --out vis/
    python demo/image_demo.py clip.mp4 CONFIG CHECKPOINT --out clip_sht.mp4
"""
import argparse
import os
import os.path as osp
import sys
import warnings
from typing import Iterator, List, Optional, Sequence, Tuple

import cv2
import numpy as np

ROOT = osp.abspath(osp.join(osp.dirname(__file__), '..'))
sys.path.insert(0, osp.join(ROOT, 'projects'))
import sht  # noqa: E402,F401  (before mmengine: hides a torch notice)

from mmpose.apis import init_model  # noqa: E402
from mmpose.structures.bbox import get_warp_matrix  # noqa: E402
from rich.progress import track  # noqa: E402

from sht.apis import (ImageReadError, build_face_detector,  # noqa: E402
                      face_image, inference_faces, read_image)
from sht.models.degradation import bicubic_degrade  # noqa: E402

PANEL = 256  # height of each panel of the output picture
IMAGE_EXTENSIONS = ('.jpg', '.jpeg', '.png', '.bmp', '.tif', '.tiff',
                    '.webp')
VIDEO_EXTENSIONS = ('.mp4', '.avi', '.mov', '.mkv', '.m4v')
FOURCC = {'.avi': 'MJPG'}  # others: mp4v


def parse_args(argv: Optional[List[str]] = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        description='Draw facial landmarks and the hallucinated faces.')
    parser.add_argument('input', help='image file, folder of images or '
                        'video file')
    parser.add_argument('config', help='model config')
    parser.add_argument('checkpoint', help='checkpoint file')
    parser.add_argument(
        '--out', required=True,
        help='output picture (image input), folder (folder input) or video '
        'file (video input)')
    parser.add_argument('--bbox', type=float, nargs=4,
                        metavar=('X1', 'Y1', 'X2', 'Y2'),
                        help='face box in pixels (one image); default: the '
                        'faces the detector finds')
    parser.add_argument(
        '--det', default='haar',
        help='face detector: "haar" (OpenCV, offline), a Haar cascade .xml, '
        'an mmdet config .py (with --det-weights), or "whole_image"')
    parser.add_argument('--det-weights', help='mmdet detector checkpoint')
    parser.add_argument('--video-faces', type=int, default=1,
                        help='face slots per video frame (the largest '
                        'faces; all are drawn on the frame)')
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
    import torch
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


def face_panels(img: np.ndarray, sample, lr_size: int, radius: int
                ) -> Tuple[List[np.ndarray], List[str]]:
    """The LR input and the hallucinated face (with its landmarks) of one
    predicted face, each ``PANEL`` high."""
    points = sample.pred_instances.keypoints[0]
    meta = sample.metainfo
    size = int(meta['input_size'][0])
    center, scale = meta['input_center'], meta['input_scale']
    crop = crop_face(img, center, scale, size)
    low, _ = to_height(lr_face(crop, lr_size), PANEL, nearest=True)
    panels, titles = [low], [f'model input ({lr_size}px)']
    if 'pred_face' in sample:
        face = cv2.resize(face_image(sample), (PANEL, PANEL),
                          interpolation=cv2.INTER_CUBIC)
        crop_points = ((points - center) / scale + 0.5) * size
        panels.append(draw_points(face, crop_points * PANEL / size, radius))
        titles.append(f'hallucinated ({size}px) + points')
    return panels, titles


def draw_picture(img: np.ndarray, samples: list, lr_size: int, radius: int,
                 face_slots: Optional[int] = None) -> np.ndarray:
    """The output picture of one image and its predicted faces.

    Args:
        face_slots (int, optional): Exactly this many face columns (the
            largest faces; blank when fewer), for frames of one size.
    """
    photo, k = to_height(img, PANEL)
    for sample in samples:
        box = (np.asarray(sample.pred_instances.bboxes[0]) * k).round()
        box = box.astype(int)
        photo = cv2.rectangle(photo, tuple(box[:2]), tuple(box[2:]),
                              (0, 200, 0), 1)
        photo = draw_points(photo, sample.pred_instances.keypoints[0] * k,
                            radius)
    panels, titles = [photo], ['input + landmarks']
    if face_slots is not None:
        samples = sorted(samples, key=lambda s: -float(
            np.ptp(np.asarray(s.pred_instances.bboxes[0])[::2])))
        samples = samples[:face_slots]
    for i, sample in enumerate(samples):
        more, more_titles = face_panels(img, sample, lr_size, radius)
        panels += more
        titles += [f'{i + 1}: {t}' if len(samples) > 1 else t
                   for t in more_titles]
    if face_slots is not None:
        per_face = (len(panels) - 1) // len(samples)  # always >= 1 face
        for _ in range(face_slots - len(samples)):
            for _ in range(per_face):
                panels.append(np.full((PANEL, PANEL, 3), 255, np.uint8))
                titles.append('no face')
    return compose(panels, titles)


def picture_of(model, img, args, name: str,
               face_slots: Optional[int] = None) -> Tuple[np.ndarray, int]:
    """Detect (or take ``--bbox``), predict and draw one image; returns the
    picture and the number of faces."""
    bboxes = None if args.bbox is None else np.array([args.bbox], np.float32)
    detector = 'whole_image' if args.detector is None else args.detector
    image = read_image(img)
    samples = inference_faces(model, image, bboxes, det_model=detector,
                              name=name)
    for sample in samples:
        sample.set_metainfo(dict(img_path=name))
    picture = draw_picture(image, samples, model.lr_size, args.radius,
                           face_slots)
    return picture, len(samples)


def video_frames(path: str) -> Iterator[np.ndarray]:
    """The frames of a video (BGR), named errors for unreadable files."""
    cap = cv2.VideoCapture(path)
    if not cap.isOpened():
        raise SystemExit(f'{path}: the video cannot be opened')
    try:
        while True:
            ok, frame = cap.read()
            if not ok:
                return
            yield frame
    finally:
        cap.release()


def run_video(model, args) -> str:
    """Every frame of ``args.input`` -> the video ``args.out``."""
    cap = cv2.VideoCapture(args.input)
    fps = cap.get(cv2.CAP_PROP_FPS) or 25.0
    total = int(cap.get(cv2.CAP_PROP_FRAME_COUNT)) or None
    cap.release()
    ext = osp.splitext(args.out)[1].lower()
    if ext not in VIDEO_EXTENSIONS:
        raise SystemExit(f'--out {args.out}: a video input needs a video '
                         f'output ({", ".join(VIDEO_EXTENSIONS)})')
    os.makedirs(osp.dirname(osp.abspath(args.out)), exist_ok=True)
    writer, count = None, 0
    frames = track(video_frames(args.input), total=total,
                   description=f'{osp.basename(args.input)}')
    for i, frame in enumerate(frames):
        picture, _ = picture_of(model, frame, args, f'frame {i}',
                                face_slots=args.video_faces)
        if writer is None:
            writer = cv2.VideoWriter(
                args.out, cv2.VideoWriter_fourcc(*FOURCC.get(ext, 'mp4v')),
                fps, (picture.shape[1], picture.shape[0]))
            if not writer.isOpened():
                raise SystemExit(f'{args.out}: cannot write the video')
        writer.write(picture)
        count += 1
    if writer is None:
        raise SystemExit(f'{args.input}: no frame could be decoded')
    writer.release()
    print(f'{args.out}: {count} frames')
    return args.out


def run_images(model, args, images: List[str], out_dir: str) -> str:
    """Each image -> ``out_dir/<name>.png``."""
    os.makedirs(out_dir, exist_ok=True)
    skipped = []
    for path in track(images, description='images'):
        try:
            picture, _ = picture_of(model, path, args, path)
        except ImageReadError as err:  # one broken file ends no run
            warnings.warn(f'skipped: {err}')
            skipped.append(osp.basename(path))
            continue
        out = osp.join(out_dir, osp.splitext(osp.basename(path))[0] + '.png')
        if not cv2.imwrite(out, picture):
            raise SystemExit(f'{out}: cannot write the picture')
    print(f'{out_dir}: {len(images) - len(skipped)} pictures' +
          (f', {len(skipped)} unreadable skipped ({", ".join(skipped)})'
           if skipped else ''))
    return out_dir


def main(argv: Optional[List[str]] = None) -> str:
    args = parse_args(argv)
    source = args.input
    is_dir = osp.isdir(source)
    is_video = source.lower().endswith(VIDEO_EXTENSIONS)
    if not is_dir and not osp.isfile(source):
        raise SystemExit(f'{source}: not found')
    if args.bbox is not None:
        x1, y1, x2, y2 = args.bbox
        if not (x2 > x1 and y2 > y1):
            raise SystemExit(f'--bbox {args.bbox}: expected X1 Y1 X2 Y2 with '
                             'X2 > X1 and Y2 > Y1')
        if is_dir or is_video:
            raise SystemExit('--bbox is for one image; folders and videos '
                             'use the face detector')
    images = []
    if is_dir:
        images = sorted(
            osp.join(source, f) for f in os.listdir(source)
            if f.lower().endswith(IMAGE_EXTENSIONS))
        if not images:
            raise SystemExit(f'{source}: no image files in this folder')
    elif not is_video:
        try:
            read_image(source)
        except (OSError, ValueError) as err:
            raise SystemExit(str(err)) from err
    args.detector = build_face_detector(args.det, args.det_weights,
                                        args.device)
    model = init_model(args.config, args.checkpoint, device=args.device)
    if is_video:
        return run_video(model, args)
    if is_dir:
        return run_images(model, args, images, args.out)
    picture, faces = picture_of(model, source, args, source)
    os.makedirs(osp.dirname(osp.abspath(args.out)), exist_ok=True)
    if not cv2.imwrite(args.out, picture):
        raise SystemExit(f'{args.out}: cannot write the picture')
    print(f'{args.out}: {faces} face(s), '
          f'{model.dataset_meta["num_keypoints"]} landmarks each')
    return args.out


if __name__ == '__main__':
    main()
