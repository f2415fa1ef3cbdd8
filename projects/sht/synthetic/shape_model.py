"""A parametric 3D face shape with the 68 iBUG / 300W landmarks.

Face coordinates (units of half a face width): x to the image right, y down,
z towards the camera; y = 0 is the eye-corner line. Landmark order is the
iBUG 68-point order, 0-based: jaw 0-16 (from the image-left ear to the
image-right ear through the chin), image-left brow 17-21, image-right brow
22-26, nose bridge 27-30 (30 = tip), nose base 31-35, image-left eye 36-41,
image-right eye 42-47 (each: outer/inner corner, upper lid, lower lid),
outer lips 48-59 (48 and 54 the corners), inner lips 60-67.

Besides the landmarks the model places the points the renderer needs (brow
lower edges, pupils, forehead and hair outlines, ears, neck). Identity
parameters change proportions; expression parameters are smooth
deformations (mouth opening, smile, eye closure, brow raise and frown, gaze).
Head pose and projection live in ``projection.py``.
"""
from dataclasses import asdict, dataclass, fields
from typing import Dict, Tuple

import numpy as np

NUM_LANDMARKS = 68
JAW = tuple(range(0, 17))
BROW_LEFT = tuple(range(17, 22))
BROW_RIGHT = tuple(range(22, 27))
NOSE_BRIDGE = tuple(range(27, 31))
NOSE_BASE = tuple(range(31, 36))
EYE_LEFT = tuple(range(36, 42))
EYE_RIGHT = tuple(range(42, 48))
MOUTH_OUTER = tuple(range(48, 60))
MOUTH_INNER = tuple(range(60, 68))
# Index of each landmark's mirror image (left-right flip of the face).
MIRROR_68 = np.array(
    list(range(16, -1, -1)) + list(range(26, 16, -1)) + [27, 28, 29, 30] +
    [35, 34, 33, 32, 31] + [45, 44, 43, 42, 47, 46] +
    [39, 38, 37, 36, 41, 40] + [54, 53, 52, 51, 50, 49, 48, 59, 58, 57, 56,
                                55] + [64, 63, 62, 61, 60, 67, 66, 65])

# Lower edge of each brow lies under these upper-edge landmarks (the outer
# brow tip 17 / 26 is shared by both edges), the WFLW 98-point convention.
BROW_LOWER_ANCHORS = ((21, 20, 19, 18), (25, 24, 23, 22))


def _sample_unit(rng: np.random.Generator) -> float:
    """A draw in [0, 1] concentrated in the middle (Beta(2, 2))."""
    return float(rng.beta(2.0, 2.0))


@dataclass
class IdentityParams:
    """Proportions of one synthetic person (face units)."""
    face_width: float = 1.0
    face_height: float = 1.55
    jaw_squareness: float = 2.5
    jaw_taper: float = 0.12
    forehead_height: float = 1.05
    eye_inner_x: float = 0.26
    eye_width: float = 0.42
    eye_height: float = 0.14
    canthal_tilt: float = 0.02
    brow_height: float = 0.0
    brow_thickness: float = 0.08
    brow_arch: float = 0.1
    nose_length: float = 0.56
    nose_width: float = 0.22
    nose_depth: float = 0.5
    mouth_y: float = 1.02
    mouth_width: float = 0.4
    upper_lip: float = 0.09
    lower_lip: float = 0.12

    RANGES = {
        'face_width': (0.9, 1.1), 'face_height': (1.4, 1.75),
        'jaw_squareness': (2.0, 3.2), 'jaw_taper': (0.02, 0.22),
        'forehead_height': (0.9, 1.2), 'eye_inner_x': (0.22, 0.3),
        'eye_width': (0.36, 0.48), 'eye_height': (0.11, 0.17),
        'canthal_tilt': (-0.02, 0.05), 'brow_height': (-0.04, 0.08),
        'brow_thickness': (0.05, 0.11), 'brow_arch': (0.05, 0.15),
        'nose_length': (0.48, 0.64), 'nose_width': (0.17, 0.27),
        'nose_depth': (0.4, 0.62), 'mouth_y': (0.94, 1.1),
        'mouth_width': (0.32, 0.46), 'upper_lip': (0.06, 0.11),
        'lower_lip': (0.08, 0.15)
    }

    @classmethod
    def sample(cls, rng: np.random.Generator) -> 'IdentityParams':
        """Draw every proportion from its range (Beta(2, 2) in the range)."""
        values = {}
        for f in fields(cls):
            low, high = cls.RANGES[f.name]
            values[f.name] = low + (high - low) * _sample_unit(rng)
        params = cls(**values)
        # Keep the mouth below the nose and the chin below the lower lip.
        params.mouth_y = max(params.mouth_y, params.nose_length + 0.35)
        params.face_height = max(params.face_height,
                                 params.mouth_y + params.lower_lip + 0.35)
        return params


@dataclass
class ExpressionParams:
    """Expression deformations; all zero is the neutral face."""
    mouth_open: float = 0.0  # [0, 1]
    smile: float = 0.0  # [-0.5, 1], negative turns the corners down
    eye_closure: float = 0.0  # [0, 1]
    brow_raise: float = 0.0  # [-1, 1]
    brow_frown: float = 0.0  # [0, 1]
    gaze_x: float = 0.0  # [-1, 1]
    gaze_y: float = 0.0  # [-1, 1]

    LIMITS = {
        'mouth_open': (0.0, 1.0), 'smile': (-0.5, 1.0),
        'eye_closure': (0.0, 1.0), 'brow_raise': (-1.0, 1.0),
        'brow_frown': (0.0, 1.0), 'gaze_x': (-1.0, 1.0),
        'gaze_y': (-1.0, 1.0)
    }

    @classmethod
    def sample(cls, rng: np.random.Generator) -> 'ExpressionParams':
        """Draw an expression: about a third neutral, the rest mixed."""
        gaze = np.clip(rng.normal(0.0, 0.35, size=2), -1, 1)
        if rng.random() < 0.35:
            return cls(gaze_x=float(gaze[0]), gaze_y=float(gaze[1]))
        closure = 1.0 if rng.random() < 0.05 else float(rng.beta(0.5, 4.0))
        return cls(
            mouth_open=float(rng.beta(0.6, 1.8)),
            smile=float(rng.uniform(-0.5, 1.0)) * float(rng.random() < 0.6),
            eye_closure=closure,
            brow_raise=float(np.clip(rng.normal(0.0, 0.45), -1, 1)),
            brow_frown=float(rng.beta(0.5, 3.0)),
            gaze_x=float(gaze[0]),
            gaze_y=float(gaze[1]))

    def clipped(self) -> 'ExpressionParams':
        """Copy with every value inside its limits."""
        return ExpressionParams(**{
            k: float(np.clip(v, *self.LIMITS[k]))
            for k, v in asdict(self).items()
        })

    def is_strong(self) -> bool:
        """Whether this counts as an exaggerated expression (WFLW flag)."""
        return (self.mouth_open > 0.55 or abs(self.smile) > 0.7
                or self.brow_raise > 0.75 or self.brow_frown > 0.6
                or self.eye_closure > 0.8)


def _jaw_and_forehead(p: IdentityParams) -> Tuple[np.ndarray, np.ndarray]:
    """The 17 jaw landmarks and a 15-point forehead arc (jaw 16 -> jaw 0)."""
    top = 0.05
    height = p.face_height - top
    expo = 2.0 / p.jaw_squareness
    phi = np.linspace(0.0, np.pi, 241)
    cos, sin = np.cos(phi), np.abs(np.sin(phi))
    ys = top + height * sin**expo
    depth = (ys - top) / height
    xs = -p.face_width * np.sign(cos) * np.abs(cos)**expo
    xs = xs * (1.0 - p.jaw_taper * depth**2)
    dense = np.stack([xs, ys], axis=1)
    seg = np.linalg.norm(np.diff(dense, axis=0), axis=1)
    cum = np.concatenate([[0.0], np.cumsum(seg)])
    at = np.linspace(0.0, cum[-1], 17)
    jx, jy = np.interp(at, cum, xs), np.interp(at, cum, ys)
    jz = -0.55 + 0.7 * ((jy - top) / height)**1.5
    jaw = np.stack([jx, jy, jz], axis=1)

    psi = np.linspace(0.0, np.pi, 17)[1:-1]
    c, s = np.cos(psi), np.sin(psi)
    fx = p.face_width * np.sign(c) * np.abs(c)**0.8
    fy = top - (p.forehead_height + top) * s**0.8
    fz = -0.55 + 0.45 * s
    return jaw, np.stack([fx, fy, fz], axis=1)


def _eyes(p: IdentityParams) -> Tuple[np.ndarray, np.ndarray]:
    """Image-left eye (36-41, open) and its pupil centre."""
    outer = -(p.eye_inner_x + p.eye_width)
    inner = -p.eye_inner_x
    y_out, y_in = -p.eye_height * 0.05 - p.canthal_tilt, 0.0
    fr = np.array([0.0, 0.33, 0.67, 1.0, 0.67, 0.33])
    xs = outer + (inner - outer) * fr
    base = y_out + (y_in - y_out) * fr
    lid = np.array([0.0, -0.62, -0.6, 0.0, 0.38, 0.38]) * p.eye_height
    zs = -0.24 + 0.22 * fr + np.array([0, 0.04, 0.04, 0, 0.03, 0.03])
    eye = np.stack([xs, base + lid, zs], axis=1)
    pupil = np.array([(outer + inner) / 2,
                      (y_out + y_in) / 2 - 0.1 * p.eye_height, -0.02])
    return eye, pupil


def _brows(p: IdentityParams) -> Tuple[np.ndarray, np.ndarray]:
    """Image-left brow upper edge (17-21) and lower edge (under 21..18)."""
    outer = -(p.eye_inner_x + p.eye_width + 0.1)
    inner = -(p.eye_inner_x - 0.08)
    base = -0.3 - p.brow_height
    fr = np.linspace(0.0, 1.0, 5)
    profile = np.array([-0.2, 0.8, 1.0, 0.85, 0.55])
    xs = outer + (inner - outer) * fr
    ys = base - p.brow_arch * profile
    zs = -0.28 + 0.36 * fr
    upper = np.stack([xs, ys, zs], axis=1)
    thick = p.brow_thickness * np.array([0.95, 1.0, 0.85, 0.6])
    lower = upper[[4, 3, 2, 1]] + np.stack(
        [np.zeros(4), thick, np.zeros(4)], axis=1)
    return upper, lower


def _nose(p: IdentityParams) -> np.ndarray:
    """Nose bridge 27-30 and base 31-35."""
    fr = np.array([0.0, 1 / 3, 2 / 3, 1.0])
    top = -0.1
    bridge = np.stack([
        np.zeros(4), top + (p.nose_length - top) * fr,
        0.1 + (p.nose_depth - 0.1) * fr**1.3
    ], axis=1)
    w, y, d = p.nose_width, p.nose_length, p.nose_depth
    base = np.array([[-w, y + 0.03, 0.3 * d], [-0.5 * w, y + 0.08, 0.45 * d],
                     [0.0, y + 0.09, 0.6 * d], [0.5 * w, y + 0.08, 0.45 * d],
                     [w, y + 0.03, 0.3 * d]])
    return np.concatenate([bridge, base], axis=0)


def _mouth(p: IdentityParams) -> np.ndarray:
    """Outer lips 48-59 and inner lips 60-67 of a closed mouth."""
    m, w, ul, ll = p.mouth_y, p.mouth_width, p.upper_lip, p.lower_lip
    outer = [(-w, 0.0), (-0.62 * w, -0.85 * ul), (-0.25 * w, -1.05 * ul),
             (0.0, -0.85 * ul), (0.25 * w, -1.05 * ul), (0.62 * w, -0.85 * ul),
             (w, 0.0), (0.62 * w, 0.8 * ll), (0.3 * w, 1.0 * ll),
             (0.0, 1.05 * ll), (-0.3 * w, 1.0 * ll), (-0.62 * w, 0.8 * ll)]
    inner = [(-0.88 * w, 0.0), (-0.35 * w, -0.012), (0.0, -0.008),
             (0.35 * w, -0.012), (0.88 * w, 0.0), (0.35 * w, 0.012),
             (0.0, 0.012), (-0.35 * w, 0.012)]
    pts = np.array(outer + inner, dtype=np.float64)
    z = 0.12 + 0.16 * (1.0 - np.abs(pts[:, 0]) / w)
    return np.stack([pts[:, 0], m + pts[:, 1], z], axis=1)


def _apply_expression(lm: np.ndarray, brow_lower: np.ndarray,
                      pupils: np.ndarray, p: IdentityParams,
                      e: ExpressionParams) -> None:
    """Deform landmarks, brow lower edges and pupils in place."""
    # Mouth opening: the jaw drops and carries the lower lip with it.
    drop = 0.3 * e.mouth_open
    m = p.mouth_y
    jaw_w = np.clip((lm[:17, 1] - (m - 0.15)) / (p.face_height - m + 0.15),
                    0, 1)
    lm[:17, 1] += drop * 0.8 * jaw_w**1.5
    lm[[65, 66, 67], 1] += drop * np.array([0.9, 1.0, 0.9])
    lm[[60, 64], 1] += drop * 0.45
    lm[[61, 62, 63], 1] -= 0.02 * e.mouth_open
    lm[55:60, 1] += drop * np.array([0.85, 0.95, 1.0, 0.95, 0.85])
    lm[[48, 54], 1] += drop * 0.35
    lm[[48, 54, 60, 64], 0] *= 1.0 - 0.08 * e.mouth_open
    # Smile: corners up and out, cheeks push the lower lids up.
    s = e.smile
    lm[[48, 54, 60, 64], 1] -= 0.08 * s
    lm[[48, 54, 60, 64], 0] *= 1.0 + 0.1 * s
    lm[[49, 53, 55, 59], 1] -= 0.04 * s
    lm[[61, 63, 65, 67], 1] -= 0.03 * s
    lm[[40, 41, 46, 47], 1] -= 0.015 * max(s, 0.0)
    # Eye closure: the upper lid moves onto the lower lid.
    c = float(np.clip(e.eye_closure + 0.25 * max(s, 0.0), 0.0, 1.0))
    for up, low in ((37, 41), (38, 40), (43, 47), (44, 46)):
        lm[up, 1] += 0.92 * c * (lm[low, 1] - lm[up, 1])
    # Brows: raise moves both edges up, frown pulls the inner ends down-in.
    lm[17:27, 1] -= 0.08 * e.brow_raise
    brow_lower[:, :, 1] -= 0.08 * e.brow_raise
    w = np.array([0.3, 0.7, 1.0])
    for upper_idx, lower_sel, sign in (((19, 20, 21), (2, 1, 0), 1.0),
                                       ((24, 23, 22), (1, 2, 3), -1.0)):
        side = 0 if sign > 0 else 1
        lm[list(upper_idx), 1] += 0.06 * e.brow_frown * w
        lm[list(upper_idx), 0] += sign * 0.04 * e.brow_frown * w
        brow_lower[side, list(lower_sel), 1] += 0.06 * e.brow_frown * w
        brow_lower[side, list(lower_sel), 0] += sign * 0.04 * e.brow_frown * w
    # Gaze moves the pupils inside the eyes.
    pupils[:, 0] += e.gaze_x * 0.28 * p.eye_width / 2
    pupils[:, 1] += e.gaze_y * 0.25 * p.eye_height


def build_face_3d(identity: IdentityParams,
                  expression: ExpressionParams) -> Dict[str, np.ndarray]:
    """Build the 3D landmarks and render helper points of one face.

    Args:
        identity (IdentityParams): proportions.
        expression (ExpressionParams): expression deformations.

    Returns:
        dict: 3D points in face units, each (N, 3): ``landmarks`` (68),
        ``brow_lower`` (2, 4, 3) under landmarks 21..18 and 25..22,
        ``pupils`` (2, 3) image-left then image-right, ``forehead`` (15)
        from the jaw-16 side over the top to the jaw-0 side, ``hairline``
        (13), ``head_top`` (15), ``hair_long`` (15), ``ears`` (2, 3),
        ``neck`` (4), ``shoulders`` (6); plus ``iris_radius`` (1,) in face
        units.
    """
    p = identity
    e = expression.clipped()
    jaw, forehead = _jaw_and_forehead(p)
    brow_l, brow_lower_l = _brows(p)
    eye_l, pupil_l = _eyes(p)
    lm = np.zeros((NUM_LANDMARKS, 3))
    lm[0:17] = jaw
    lm[17:22] = brow_l
    lm[36:42] = eye_l
    lm[27:36] = _nose(p)
    lm[48:68] = _mouth(p)
    flip = np.array([-1.0, 1.0, 1.0])
    lm[22:27] = brow_l[::-1] * flip
    lm[42:48] = eye_l[[3, 2, 1, 0, 5, 4]] * flip
    brow_lower = np.stack([brow_lower_l, (brow_lower_l * flip)[::-1]])
    pupils = np.stack([pupil_l, pupil_l * flip])
    _apply_expression(lm, brow_lower, pupils, p, e)

    top = 0.05
    psi = np.linspace(0.0, np.pi, 15)
    c, s = np.cos(psi), np.sin(psi)
    brow_top = float(lm[17:27, 1].min())
    hair_y = min(-0.68, brow_top - 0.22) - 0.1 * p.forehead_height
    hairline = np.stack([
        0.97 * p.face_width * np.sign(c) * np.abs(c)**0.6,
        -0.3 + (hair_y + 0.3) * s**0.7, -0.5 + 0.4 * s
    ], axis=1)[1:-1]
    hw = p.face_width + 0.1
    head_top = np.stack([
        hw * np.sign(c) * np.abs(c)**0.7,
        top + 0.1 - (p.forehead_height + 0.35) * s**0.8, -0.6 + 0.45 * s
    ], axis=1)
    long_w = p.face_width + 0.3
    hair_long = np.stack([
        long_w * np.sign(c) * np.abs(c)**0.5,
        1.4 - (p.forehead_height + 1.75) * s**0.8, -0.8 + 0.6 * s
    ], axis=1)
    ears = np.array([[-p.face_width - 0.02, 0.22, -0.55],
                     [p.face_width + 0.02, 0.22, -0.55]])
    nw = 0.52 * p.face_width
    neck = np.array([[-nw, 0.9, -0.5], [nw, 0.9, -0.5], [nw * 1.05, 3.2, -0.5],
                     [-nw * 1.05, 3.2, -0.5]])
    shoulders = np.array([[-nw, 2.1, -0.5], [nw, 2.1, -0.5],
                          [2.6, 2.7, -0.8], [3.2, 5.0, -0.8],
                          [-3.2, 5.0, -0.8], [-2.6, 2.7, -0.8]])
    return dict(
        landmarks=lm, brow_lower=brow_lower, pupils=pupils,
        forehead=forehead, hairline=hairline, head_top=head_top,
        hair_long=hair_long, ears=ears, neck=neck, shoulders=shoulders,
        iris_radius=np.array([0.21 * p.eye_width]))
