"""Backgrounds, occluders and image degradations for synthetic faces."""
from typing import Optional

import cv2
import numpy as np

from .painter import Painter

OCCLUDERS = ('hand', 'box', 'sunglasses', 'scarf')


def render_background(size: int, rng: np.random.Generator,
                      clutter: bool = True) -> np.ndarray:
    """A gradient background with random shapes (clutter).

    Args:
        size (int): image side in pixels.
        rng (np.random.Generator): random source.
        clutter (bool): whether to draw random shapes.

    Returns:
        np.ndarray: float32 (size, size, 3) BGR image in [0, 255].
    """
    a, b = rng.uniform(0, 255, 3), rng.uniform(0, 255, 3)
    angle = rng.uniform(0, 2 * np.pi)
    ramp = np.linspace(-0.5, 0.5, size, dtype=np.float32)
    t = np.clip(0.5 + ramp[None, :] * np.cos(angle) +
                ramp[:, None] * np.sin(angle), 0, 1)
    img = (a.astype(np.float32) +
           (b - a).astype(np.float32) * t[..., None]).astype(np.float32)
    low = cv2.resize(
        rng.normal(0, 18, (6, 6, 3)).astype(np.float32), (size, size),
        interpolation=cv2.INTER_CUBIC)
    img += low
    if clutter:
        p = Painter(img)
        for _ in range(int(rng.integers(3, 13))):
            col = rng.uniform(0, 255, 3)
            opacity = float(rng.uniform(0.5, 1.0))
            blur = float(rng.choice([0.0, 0.0, 1.5, 4.0]))
            kind = int(rng.integers(4))
            c = rng.uniform(-0.1, 1.1, 2) * size
            r = rng.uniform(0.04, 0.3) * size
            if kind == 0:
                p.fill_ellipse(c, (r, r * rng.uniform(0.3, 1.0)),
                               rng.uniform(0, 180), col, opacity, blur)
            elif kind == 1:
                w, h = r, r * rng.uniform(0.2, 1.0)
                ang = rng.uniform(0, np.pi)
                rot = np.array([[np.cos(ang), -np.sin(ang)],
                                [np.sin(ang), np.cos(ang)]])
                box = np.array([[-w, -h], [w, -h], [w, h], [-w, h]]) @ rot.T
                p.fill_polygons([box + c], col, opacity, blur)
            elif kind == 2:
                n = int(rng.integers(3, 7))
                poly = c + rng.uniform(-r, r, (n, 2))
                p.fill_polygons([poly], col, opacity, blur)
            else:
                line = c + rng.uniform(-2 * r, 2 * r, (2, 2))
                p.stroke(line, col, rng.uniform(1, 0.05 * size), opacity,
                         blur=blur)
    return img


def add_occluder(canvas: np.ndarray, landmarks: np.ndarray, scale: float,
                 rng: np.random.Generator,
                 skin: Optional[np.ndarray] = None) -> str:
    """Draw an object in front of part of the face.

    Args:
        canvas (np.ndarray): float32 (H, W, 3) image, modified in place.
        landmarks (np.ndarray): 68 points (68, 2) in pixels.
        scale (float): pixels per face unit.
        rng (np.random.Generator): random source.
        skin (np.ndarray, optional): BGR skin colour for a hand.

    Returns:
        str: the occluder kind (one of ``OCCLUDERS``).
    """
    p = Painter(canvas)
    kind = OCCLUDERS[int(rng.integers(len(OCCLUDERS)))]
    col = rng.uniform(0, 255, 3)
    s = scale
    if kind == 'sunglasses':
        for eye in (landmarks[36:42], landmarks[42:48]):
            p.fill_ellipse(eye.mean(0), (0.3 * s, 0.2 * s), 0, col * 0.25,
                           0.92, blur=0.5)
        p.stroke(landmarks[[39, 27, 42]], col * 0.3, max(1.0, 0.04 * s))
    elif kind == 'scarf':
        jaw = landmarks[2:15]
        top = landmarks[[14, 33, 2]] if rng.random() < 0.5 else landmarks[[
            13, 57, 3
        ]]
        p.fill_polygons([np.concatenate([jaw + [0, 0.2 * s], top])], col,
                        0.97, blur=0.6)
    else:
        target = landmarks[int(rng.integers(68))]
        centre = target + rng.normal(0, 0.15 * s, 2)
        if kind == 'hand':
            hand = skin if skin is not None else col
            p.fill_ellipse(centre, (0.35 * s, 0.22 * s), rng.uniform(0, 180),
                           hand * 0.95, 0.97, blur=0.6)
        else:
            half = rng.uniform(0.12, 0.35, 2) * s
            box = np.array([[-1, -1], [1, -1], [1, 1], [-1, 1]]) * half
            p.fill_polygons([box + centre], col, 0.97, blur=0.4)
    return kind


def scene_lighting(canvas: np.ndarray, rng: np.random.Generator,
                   strong: bool = False) -> np.ndarray:
    """Multiply by a directional gain ramp and a colour cast.

    Args:
        canvas (np.ndarray): float32 (H, W, 3) image.
        rng (np.random.Generator): random source.
        strong (bool): harsh light (dark side, colour cast, exposure).

    Returns:
        np.ndarray: the lit image, float32 (H, W, 3).
    """
    h, w = canvas.shape[:2]
    ang = rng.uniform(0, 2 * np.pi)
    t = (np.linspace(-0.5, 0.5, w, dtype=np.float32)[None, :] * np.cos(ang) +
         np.linspace(-0.5, 0.5, h, dtype=np.float32)[:, None] * np.sin(ang))
    if strong:
        slope = rng.uniform(0.8, 1.4)
        exposure = rng.choice([rng.uniform(0.45, 0.7), rng.uniform(1.0, 1.4)])
        cast = rng.uniform(0.75, 1.25, 3)
    else:
        slope = rng.uniform(0.0, 0.3)
        exposure = rng.uniform(0.9, 1.1)
        cast = rng.uniform(0.95, 1.05, 3)
    gain = np.clip(exposure * (1.0 + slope * t), 0.15, 2.0)
    return canvas * (gain[..., None] * cast.astype(np.float32))


def blur_image(canvas: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    """Gaussian (defocus) or linear motion blur."""
    if rng.random() < 0.5:
        return cv2.GaussianBlur(canvas, (0, 0), rng.uniform(1.2, 2.5))
    length = int(rng.integers(5, 12))
    kernel = np.zeros((length, length), np.float32)
    kernel[length // 2, :] = 1.0 / length
    rot = cv2.getRotationMatrix2D(((length - 1) / 2, (length - 1) / 2),
                                  rng.uniform(0, 180), 1.0)
    kernel = cv2.warpAffine(kernel, rot, (length, length))
    return cv2.filter2D(canvas, -1, kernel / max(kernel.sum(), 1e-6))


def finish_image(canvas: np.ndarray, rng: np.random.Generator,
                 noise_sigma: float) -> np.ndarray:
    """Add sensor noise (mostly luminance, some colour) and convert to uint8.

    Args:
        canvas (np.ndarray): float32 (H, W, 3) image.
        rng (np.random.Generator): random source.
        noise_sigma (float): Gaussian noise level in grey values.

    Returns:
        np.ndarray: uint8 (H, W, 3) BGR image.
    """
    h, w = canvas.shape[:2]
    luma = rng.standard_normal((h, w, 1), dtype=np.float32) * noise_sigma
    chroma = cv2.resize(
        rng.standard_normal((h // 2, w // 2, 3), dtype=np.float32),
        (w, h), interpolation=cv2.INTER_NEAREST) * (0.5 * noise_sigma)
    return np.clip(canvas + luma + chroma + 0.5, 0, 255).astype(np.uint8)
