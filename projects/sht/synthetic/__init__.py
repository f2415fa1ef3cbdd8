"""Seeded synthetic faces with exact landmarks, in the raw dataset layouts.

Light to import (NumPy and OpenCV only). :class:`SyntheticFaceGenerator`
draws faces from a 68-point shape model; the ``write_*`` functions store
them as 300W, WFLW, CelebA and 300VW would be downloaded, so that readers
and converters can run without the real data.
"""
from .generator import SyntheticFaceGenerator
from .landmark_schemes import (feature_curves, landmarks_68_to_5,
                               landmarks_68_to_98)
from .layouts import (format_pts, layout_generator, write_300vw, write_300w,
                      write_celeba, write_wflw)
from .preview import contact_sheet, draw_landmarks
from .projection import HeadPose, project_face
from .shape_model import ExpressionParams, IdentityParams, build_face_3d

__all__ = [
    'SyntheticFaceGenerator', 'ExpressionParams', 'HeadPose',
    'IdentityParams', 'build_face_3d', 'project_face', 'feature_curves',
    'landmarks_68_to_5', 'landmarks_68_to_98', 'format_pts',
    'layout_generator', 'write_300w', 'write_wflw', 'write_celeba',
    'write_300vw', 'contact_sheet', 'draw_landmarks'
]
