"""Draw a synthetic face from its projected points.

Layers, back to front: long hair, neck, clothes, ears, the skin-coloured face
(filled from the jaw spline and the forehead arc, lit as an ellipsoid, with
low-frequency texture), hair over the forehead, cheeks, nose shading and
nostrils, brows, eyes (sclera, iris, pupil, highlight, lid lines), lips and
mouth. Every landmark is a vertex of a drawn feature (see
``landmark_schemes.feature_curves``).
"""
from dataclasses import dataclass
from typing import Dict

import cv2
import numpy as np

from .landmark_schemes import feature_curves
from .painter import Painter

# Palettes in RGB; converted to OpenCV's BGR order when sampled.
SKIN_RGB = ((255, 224, 196), (241, 194, 158), (224, 172, 135),
            (198, 134, 94), (161, 102, 70), (118, 74, 52), (90, 56, 37))
HAIR_RGB = ((20, 16, 14), (45, 30, 20), (85, 55, 35), (140, 100, 60),
            (200, 165, 110), (150, 60, 30), (150, 150, 150))
IRIS_RGB = ((70, 40, 20), (110, 70, 35), (60, 110, 170), (80, 120, 70),
            (130, 110, 60), (110, 120, 125))
LIPSTICK_RGB = ((190, 20, 40), (150, 20, 70), (210, 70, 90), (120, 30, 50))
HAIR_STYLES = ('short', 'long', 'bald')


def _bgr(rgb) -> np.ndarray:
    return np.asarray(rgb, dtype=np.float32)[::-1].copy()


def _pick(rng: np.random.Generator, palette, jitter: float) -> np.ndarray:
    i = int(rng.integers(len(palette) - 1))
    mix = float(rng.random())
    rgb = (1 - mix) * np.asarray(palette[i], np.float32) + mix * np.asarray(
        palette[i + 1], np.float32)
    rgb = rgb * (1 + rng.uniform(-jitter, jitter, 3))
    return _bgr(np.clip(rgb, 0, 255))


@dataclass
class FaceAppearance:
    """Colours, hair style and lighting of one synthetic person (BGR)."""
    skin: np.ndarray
    lips: np.ndarray
    hair: np.ndarray
    brows: np.ndarray
    iris: np.ndarray
    sclera: np.ndarray
    clothes: np.ndarray
    eye_shadow: np.ndarray
    hair_style: str
    makeup: bool
    light: np.ndarray  # unit vector (x, y, z), z towards the camera
    ambient: float
    texture: np.ndarray  # (8, 8) low-frequency skin variation

    @classmethod
    def sample(cls, rng: np.random.Generator,
               makeup: bool = False) -> 'FaceAppearance':
        """Draw a person's colours; ``makeup`` adds lipstick and eye shadow."""
        skin = _pick(rng, SKIN_RGB, 0.04)
        hair = _pick(rng, HAIR_RGB, 0.08)
        lips = skin * _bgr((0.86, 0.58, 0.6))
        if makeup:
            lips = _pick(rng, LIPSTICK_RGB, 0.08)
        light = np.array([rng.uniform(-0.6, 0.6), rng.uniform(-0.6, 0.3), 1])
        return cls(
            skin=skin,
            lips=lips.astype(np.float32),
            hair=hair,
            brows=np.minimum(hair * 0.55 + skin * 0.1,
                             skin * 0.55).astype(np.float32),
            iris=_pick(rng, IRIS_RGB, 0.1),
            sclera=_bgr(np.array([236, 232, 226]) * rng.uniform(0.85, 1.0)),
            clothes=rng.uniform(20, 235, 3).astype(np.float32),
            eye_shadow=rng.uniform(40, 200, 3).astype(np.float32),
            hair_style=HAIR_STYLES[int(rng.choice(3, p=[0.55, 0.35, 0.1]))],
            makeup=makeup,
            light=light / np.linalg.norm(light),
            ambient=float(rng.uniform(0.45, 0.7)),
            texture=rng.normal(0.0, 1.0, (8, 8)).astype(np.float32))


def skin_image(shape, outline: np.ndarray, roll_deg: float,
               look: FaceAppearance) -> np.ndarray:
    """Skin colour lit as an ellipsoid fitted to the face outline.

    Args:
        shape (tuple): canvas (H, W).
        outline (np.ndarray): face outline (M, 2) in pixels.
        roll_deg (float): in-plane rotation of the face.
        look (FaceAppearance): skin colour, light and texture.

    Returns:
        np.ndarray: float32 (H, W, 3) BGR skin image.
    """
    h, w = shape
    r = np.deg2rad(roll_deg)
    cos, sin = np.cos(r), np.sin(r)
    aligned = outline @ np.array([[cos, -sin], [sin, cos]])
    lo, hi = aligned.min(0), aligned.max(0)
    ctr_al = (lo + hi) / 2
    axes = np.maximum((hi - lo) / 2, 1.0)
    ctr = ctr_al @ np.array([[cos, sin], [-sin, cos]])
    # The shading is smooth: evaluate it on a coarse grid and upsample.
    step = 4
    gh, gw = -(-h // step), -(-w // step)
    ys = (np.arange(gh, dtype=np.float32) * step + (step - 1) / 2)[:, None]
    xs = (np.arange(gw, dtype=np.float32) * step + (step - 1) / 2)[None, :]
    dx, dy = xs - ctr[0], ys - ctr[1]
    u = (dx * cos + dy * sin) / axes[0]
    v = (-dx * sin + dy * cos) / axes[1]
    rr = u * u + v * v
    nz = np.sqrt(np.clip(1.0 - rr, 0.0, 1.0))
    norm = np.sqrt(rr + nz * nz) + 1e-6
    lx, ly, lz = look.light
    # Light direction expressed in the face-aligned frame.
    lxa, lya = lx * cos + ly * sin, -lx * sin + ly * cos
    diffuse = np.clip((u * lxa + v * lya + nz * lz) / norm, 0.0, 1.0)
    shade = look.ambient + (1.0 - look.ambient) * diffuse
    tex = cv2.resize(look.texture, (gw, gh), interpolation=cv2.INTER_CUBIC)
    shade = shade * (1.0 + 0.05 * tex)
    coarse = (look.skin[None, None, :] * shade[..., None] +
              40.0 * diffuse[..., None]**24).astype(np.float32)
    big = cv2.resize(coarse, (gw * step, gh * step),
                     interpolation=cv2.INTER_LINEAR)
    return big[:h, :w]


def _offset(curve: np.ndarray, direction: np.ndarray,
            amount: float) -> np.ndarray:
    return curve + direction * amount


def _unit(v: np.ndarray) -> np.ndarray:
    return v / (np.linalg.norm(v) + 1e-9)


def _draw_eye(p: Painter, upper: np.ndarray, lower: np.ndarray,
              pupil: np.ndarray, iris_r: float, up: np.ndarray, s: float,
              look: FaceAppearance, skin_col: np.ndarray) -> None:
    """One eye: shadow, crease, sclera, iris, pupil, lid lines."""
    poly = np.concatenate([upper, lower[1:-1]])
    height = float(np.max(np.abs((upper - upper.mean(0)) @ up))) + 1.0
    if look.makeup:
        above = _offset(upper[::-1], up, 0.12 * s)
        p.fill_polygons([np.concatenate([upper, above])], look.eye_shadow,
                        0.45, blur=0.03 * s)
    p.stroke(_offset(upper[2:-2], up, 0.28 * height + 0.04 * s),
             skin_col * 0.7, max(1.0, 0.012 * s), 0.6, blur=0.6)
    clip = p.polygon_mask([poly])
    p.fill_polygons([poly], look.sclera, 1.0, blur=0.3)
    p.fill_ellipse(pupil, (iris_r, iris_r), 0, look.iris * 0.55, clip=clip)
    p.fill_ellipse(pupil, (0.82 * iris_r, 0.82 * iris_r), 0, look.iris,
                   blur=0.08 * iris_r, clip=clip)
    p.fill_ellipse(pupil, (0.4 * iris_r, 0.4 * iris_r), 0, (8, 8, 8),
                   blur=0.3, clip=clip)
    glint = pupil + np.array([-0.3, -0.35]) * iris_r
    p.fill_ellipse(glint, (0.15 * iris_r, 0.15 * iris_r), 0,
                   (250, 250, 250), 0.85, clip=clip)
    p.stroke(upper, (10, 10, 10), max(1.5, 0.055 * s), 0.35, blur=0.5,
             clip=clip)
    p.stroke(upper, (25, 20, 20), max(1.2, 0.03 * s), 0.95)
    p.stroke(lower, skin_col * 0.55, max(1.0, 0.012 * s), 0.7)


def _draw_nose(p: Painter, lm: np.ndarray, nose_base: np.ndarray,
               up: np.ndarray, s: float, look: FaceAppearance,
               skin_col: np.ndarray) -> None:
    """Bridge shadow and highlight, alar creases, nostrils, base line."""
    side = 1.0 if look.light[0] < 0 else -1.0
    right = np.array([up[1], -up[0]]) * -1.0  # image-right across the face
    shadow_side = lm[35] if side > 0 else lm[31]
    bridge = np.stack([lm[27], lm[28], lm[29], shadow_side])
    p.stroke(_offset(bridge, right, side * 0.07 * s), skin_col * 0.72,
             max(1.0, 0.06 * s), 0.45, blur=0.05 * s)
    p.stroke(lm[28:31], skin_col * 1.12 + 10, max(1.0, 0.03 * s), 0.35,
             blur=0.03 * s)
    for ala, inner in ((31, 32), (35, 34)):
        out = _unit(lm[ala] - lm[33])
        crease = np.stack([
            lm[ala], lm[ala] + up * 0.08 * s + out * 0.03 * s,
            lm[ala] + up * 0.16 * s - out * 0.02 * s
        ])
        p.stroke(crease, skin_col * 0.6, max(1.0, 0.018 * s), 0.55,
                 blur=0.6)
        centre = (lm[ala] + 2 * lm[inner]) / 3 + up * 0.025 * s
        angle = np.degrees(np.arctan2(*(lm[33] - lm[ala])[::-1]))
        p.fill_ellipse(centre, (0.055 * s, 0.022 * s), angle,
                       skin_col * 0.3, 0.85, blur=0.5)
    p.stroke(nose_base, skin_col * 0.55, max(1.0, 0.02 * s), 0.75, blur=0.4)


def _draw_mouth(p: Painter, c: Dict[str, np.ndarray], s: float,
                look: FaceAppearance, up: np.ndarray) -> None:
    """Lips, mouth interior, teeth and the lip line."""
    outer = np.concatenate([c['lips_outer_upper'], c['lips_outer_lower'][1:]])
    inner = np.concatenate([c['lips_inner_upper'], c['lips_inner_lower'][1:]])
    p.fill_polygons([outer], look.lips, 0.95, blur=0.5)
    upper_lip = np.concatenate(
        [c['lips_outer_upper'], c['lips_inner_upper'][::-1]])
    p.fill_polygons([upper_lip], look.lips * 0.82, 0.9, blur=0.4)
    gap = float(np.max(np.abs((inner - inner.mean(0)) @ up)))
    clip = p.polygon_mask([inner])
    p.fill_polygons([inner], (30, 25, 70), 1.0, blur=0.3)
    if gap > 0.04 * s:
        teeth = np.concatenate([
            c['lips_inner_upper'],
            _offset(c['lips_inner_upper'][::-1], -up, 0.5 * gap)
        ])
        p.fill_polygons([teeth], (215, 225, 232), 0.95, blur=0.4, clip=clip)
    centre = c['lips_outer_lower'][len(c['lips_outer_lower']) // 2]
    p.fill_ellipse(centre + up * 0.04 * s, (0.1 * s, 0.02 * s), 0,
                   look.lips * 1.2 + 15, 0.35, blur=0.03 * s)
    p.stroke(c['lips_inner_upper'], look.lips * 0.35, max(1.0, 0.018 * s),
             0.9, blur=0.3)


def draw_face(canvas: np.ndarray, pts: Dict[str, np.ndarray],
              scale: float, roll_deg: float, look: FaceAppearance) -> None:
    """Render one face onto a float32 BGR canvas in place.

    Args:
        canvas (np.ndarray): float32 (H, W, 3) image holding the background.
        pts (dict): projected 2D points (pixels) with the keys of
            ``shape_model.build_face_3d`` (``landmarks`` (68, 2), ...), plus
            ``iris_radius`` in pixels.
        scale (float): pixels per face unit near the face centre.
        roll_deg (float): in-plane rotation (for the skin lighting frame).
        look (FaceAppearance): colours and lighting.
    """
    p = Painter(canvas)
    lm = pts['landmarks']
    s = scale
    up = _unit(lm[27] - lm[8])
    c = feature_curves(lm, pts['brow_lower'])
    if look.hair_style == 'long':
        p.fill_polygons([pts['hair_long']], look.hair * 0.85, blur=0.8)
    outline = np.concatenate([c['jaw'], pts['forehead']])
    skin = skin_image(canvas.shape[:2], outline, roll_deg, look)
    skin_col = look.skin
    p.fill_polygons([pts['neck']], skin * 0.65, blur=0.6)
    p.fill_polygons([pts['shoulders']], look.clothes, blur=0.6)
    ear_w = 0.13 * s
    for ear in pts['ears']:
        p.fill_ellipse(ear, (ear_w, 0.26 * s), roll_deg, skin * 0.88,
                       blur=0.6)
        p.fill_ellipse(ear, (0.5 * ear_w, 0.15 * s), roll_deg,
                       skin_col * 0.6, 0.5, blur=0.05 * s)
    p.fill_polygons([outline], skin, blur=0.5)
    if look.hair_style != 'bald':
        hair = np.concatenate([pts['head_top'], pts['hairline'][::-1]])
        p.fill_polygons([hair], look.hair, blur=0.7)
    cheek_col = skin_col * _bgr((1.0, 0.8, 0.8))
    for a, b in ((3, 31), (13, 35)):
        p.fill_ellipse((lm[a] + lm[b]) / 2 + up * 0.1 * s, (0.2 * s, 0.13 * s),
                       roll_deg, cheek_col, 0.35 if look.makeup else 0.15,
                       blur=0.08 * s)
    _draw_nose(p, lm, c['nose_base'], up, s, look, skin_col)
    for name in ('brow_left', 'brow_right'):
        p.fill_polygons([c[name]], look.brows, 0.92, blur=0.5)
    for side, k in (('left', 0), ('right', 1)):
        _draw_eye(p, c[f'eye_{side}_upper'], c[f'eye_{side}_lower'],
                  pts['pupils'][k], float(pts['iris_radius'][k]), up, s, look,
                  skin_col)
    _draw_mouth(p, c, s, look, up)
