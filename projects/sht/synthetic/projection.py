"""Head pose, silhouette outlines and projection of the 3D face points.

Head pose (yaw, pitch, in-plane roll) rotates the 3D points of
``shape_model.build_face_3d`` about a pivot inside the head; a mild
perspective camera projects them to 0-based pixel coordinates (pixel
centres on integers).
"""
from dataclasses import dataclass
from typing import Dict, Tuple

import numpy as np

# Pivot of the head rotation (inside the head, behind the nose).
HEAD_PIVOT = np.array([0.0, 0.45, -0.8])


@dataclass
class HeadPose:
    """Head rotation (degrees) and placement of the head pivot in pixels."""
    yaw: float = 0.0  # positive turns the nose to the image right
    pitch: float = 0.0  # positive tilts the face up
    roll: float = 0.0  # in-plane, positive is clockwise on screen
    scale: float = 60.0  # pixels per face unit (half a face width)
    center_x: float = 128.0
    center_y: float = 128.0

    @classmethod
    def sample(cls, rng: np.random.Generator, image_size: int,
               max_yaw: float = 40.0, max_pitch: float = 25.0,
               max_roll: float = 35.0) -> 'HeadPose':
        """Draw a pose; the caller moves the centre to fit the image."""
        return cls(
            yaw=float(np.clip(rng.normal(0, 18), -max_yaw, max_yaw)),
            pitch=float(np.clip(rng.normal(0, 9), -max_pitch, max_pitch)),
            roll=float(np.clip(rng.normal(0, 10), -max_roll, max_roll)),
            scale=float(image_size * rng.uniform(0.17, 0.27)),
            center_x=float(image_size * rng.uniform(0.42, 0.58)),
            center_y=float(image_size * rng.uniform(0.4, 0.55)))

    def is_large(self) -> bool:
        """Whether this counts as a large pose (WFLW flag)."""
        return abs(self.yaw) > 30 or abs(self.pitch) > 20


def rotation_matrix(yaw: float, pitch: float, roll: float) -> np.ndarray:
    """Rotation for a head pose in degrees, ``R = R_roll @ R_pitch @ R_yaw``.

    Returns:
        np.ndarray: (3, 3) rotation acting on column vectors (x, y, z).
    """
    a, b, g = np.deg2rad([yaw, pitch, roll])
    r_yaw = np.array([[np.cos(a), 0, np.sin(a)], [0, 1, 0],
                      [-np.sin(a), 0, np.cos(a)]])
    r_pitch = np.array([[1, 0, 0], [0, np.cos(b), -np.sin(b)],
                        [0, np.sin(b), np.cos(b)]])
    r_roll = np.array([[np.cos(g), -np.sin(g), 0],
                       [np.sin(g), np.cos(g), 0], [0, 0, 1]])
    return r_roll @ r_pitch @ r_yaw


def frontal_depth(ys: np.ndarray) -> np.ndarray:
    """Depth of the front of the face at heights ``ys`` (face units)."""
    return 0.2 - 0.2 * np.clip((0.05 - np.asarray(ys)) / 0.6, 0.0, 1.0)


def march_contour(points: np.ndarray, yaw: float) -> np.ndarray:
    """Slide outline points to the silhouette seen under a yaw rotation.

    Each outline point ``(x, y, z)`` is taken as the widest point of a
    horizontal elliptical cross-section of the head, centred at
    ``(0, y, z)`` with half-axes ``|x|`` and ``frontal_depth(y) - z``.
    Under yaw the visible silhouette is the point of that ellipse whose
    rotated x is extreme: on the far side it moves towards the front of the
    face (so the features stay inside the outline), on the near side a
    little backwards. This is the outline convention of 300W, whose contour
    landmarks follow the visible face boundary.

    Args:
        points (np.ndarray): outline points, shape (N, 3).
        yaw (float): yaw in degrees (see ``rotation_matrix``).

    Returns:
        np.ndarray: moved points, shape (N, 3).
    """
    pts = np.asarray(points, dtype=np.float64)
    a = np.abs(pts[:, 0])
    side = np.sign(pts[:, 0])
    depth = np.maximum(frontal_depth(pts[:, 1]) - pts[:, 2], 0.0)
    psi = np.deg2rad(yaw)
    phi = np.arctan2(side * depth * np.sin(psi), a * np.cos(psi) + 1e-9)
    phi = np.clip(phi, -0.25, np.pi / 2)
    out = pts.copy()
    out[:, 0] = side * a * np.cos(phi)
    out[:, 2] = pts[:, 2] + depth * np.sin(phi)
    return out


def project_points(points: np.ndarray,
                   pose: HeadPose,
                   camera_distance: float = 8.0
                   ) -> Tuple[np.ndarray, np.ndarray]:
    """Rotate face points about the head pivot and project them to pixels.

    Args:
        points (np.ndarray): 3D face points, shape (..., 3).
        pose (HeadPose): rotation, scale and pivot position.
        camera_distance (float): camera distance from the pivot in face
            units (perspective strength).

    Returns:
        tuple: pixel coordinates (..., 2) (0-based, pixel centres on
        integers) and the local pixels-per-unit scale (...,).
    """
    rot = rotation_matrix(pose.yaw, pose.pitch, pose.roll)
    rel = (np.asarray(points, dtype=np.float64) - HEAD_PIVOT) @ rot.T
    local = pose.scale * camera_distance / (camera_distance - rel[..., 2])
    xy = rel[..., :2] * local[..., None]
    xy = xy + np.array([pose.center_x, pose.center_y])
    return xy, local


OUTLINE_KEYS = ('forehead', 'hairline', 'head_top', 'hair_long')


def project_face(face3d: Dict[str, np.ndarray],
                 pose: HeadPose) -> Dict[str, np.ndarray]:
    """Project a face from ``build_face_3d`` to the image.

    The jaw landmarks and the outlines in ``OUTLINE_KEYS`` first move to
    the silhouette for the pose's yaw (:func:`march_contour`).

    Args:
        face3d (dict): 3D points from :func:`build_face_3d`.
        pose (HeadPose): head pose and placement.

    Returns:
        dict: the same keys with 2D pixel points (..., 2); ``iris_radius``
        becomes (2,) pixel radii of the two irises.
    """
    pts3d = dict(face3d)
    lm = face3d['landmarks'].copy()
    lm[:17] = march_contour(lm[:17], pose.yaw)
    pts3d['landmarks'] = lm
    for key in OUTLINE_KEYS:
        pts3d[key] = march_contour(face3d[key], pose.yaw)
    out = {}
    for key, value in pts3d.items():
        if key != 'iris_radius':
            out[key] = project_points(value, pose)[0]
    _, local = project_points(face3d['pupils'], pose)
    out['iris_radius'] = face3d['iris_radius'][0] * local
    return out
