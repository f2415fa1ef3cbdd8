"""Seeded synthetic faces with exact 68-point landmarks, stills and videos."""
from dataclasses import asdict, replace
from typing import Dict, List, Tuple

import numpy as np

from .effects import (add_occluder, blur_image, finish_image,
                      render_background, scene_lighting)
from .render import FaceAppearance, draw_face
from .projection import HeadPose, project_face
from .shape_model import ExpressionParams, IdentityParams, build_face_3d

Sample = Tuple[np.ndarray, np.ndarray, dict]


class SyntheticFaceGenerator:
    """Draw faces from a 68-point shape model, deterministic given the seed.

    Every call of :meth:`sample` draws a new person (identity, colours,
    hair), expression, head pose (yaw, pitch, in-plane roll, scale,
    position), background clutter and image effects from the generator's
    own random stream, so two generators with the same seed and settings
    return identical sequences.

    Args:
        seed (int): seed of the random stream.
        image_size (int): side of the square images in pixels.
        max_yaw (float): largest |yaw| in degrees.
        max_pitch (float): largest |pitch| in degrees.
        max_roll (float): largest |in-plane rotation| in degrees.
        makeup_prob (float): chance of lipstick and eye shadow.
        illumination_prob (float): chance of harsh lighting.
        occlusion_prob (float): chance of an object over part of the face.
        blur_prob (float): chance of defocus or motion blur.
        clutter (bool): draw random shapes in the background.

    Example:
        >>> gen = SyntheticFaceGenerator(seed=0)
        >>> image, landmarks, meta = gen.sample()
        >>> image.shape, landmarks.shape
        ((256, 256, 3), (68, 2))
    """

    def __init__(self,
                 seed: int,
                 image_size: int = 256,
                 max_yaw: float = 40.0,
                 max_pitch: float = 25.0,
                 max_roll: float = 35.0,
                 makeup_prob: float = 0.2,
                 illumination_prob: float = 0.2,
                 occlusion_prob: float = 0.1,
                 blur_prob: float = 0.1,
                 clutter: bool = True) -> None:
        if image_size < 32:
            raise ValueError(f'image_size must be >= 32, got {image_size}')
        self.seed = seed
        self.image_size = int(image_size)
        self.pose_limits = dict(
            max_yaw=max_yaw, max_pitch=max_pitch, max_roll=max_roll)
        self.probs = dict(
            makeup=makeup_prob, illumination=illumination_prob,
            occlusion=occlusion_prob, blur=blur_prob)
        self.clutter = clutter
        self.rng = np.random.default_rng(seed)

    # ----------------------------------------------------------- geometry
    def _fit_pose(self, face3d: Dict[str, np.ndarray],
                  pose: HeadPose) -> HeadPose:
        """Shrink and shift the head so that every landmark is inside."""
        size = self.image_size
        margin = 0.04 * size
        room = size - 1 - 2 * margin
        for _ in range(3):
            xy = project_face(face3d, pose)['landmarks']
            lo, hi = xy.min(0), xy.max(0)
            extent = float((hi - lo).max())
            if extent > room:
                pose = replace(pose, scale=pose.scale * room / extent * 0.98)
                continue
            shift = (np.maximum(margin - lo, 0) -
                     np.maximum(hi - (size - 1 - margin), 0))
            return replace(pose, center_x=pose.center_x + float(shift[0]),
                           center_y=pose.center_y + float(shift[1]))
        return pose

    # ----------------------------------------------------------- drawing
    def _draw(self, identity: IdentityParams, expression: ExpressionParams,
              pose: HeadPose, look: FaceAppearance, background: np.ndarray,
              flags: Dict[str, bool], light_seed: int,
              rng: np.random.Generator) -> Sample:
        """Render one face over ``background`` and collect its labels."""
        face3d = build_face_3d(identity, expression)
        pose = self._fit_pose(face3d, pose)
        pts = project_face(face3d, pose)
        canvas = background.copy()
        draw_face(canvas, pts, pose.scale, pose.roll, look)
        occluder = None
        if flags['occlusion']:
            occluder = add_occluder(canvas, pts['landmarks'], pose.scale, rng,
                                    look.skin)
        canvas = scene_lighting(canvas, np.random.default_rng(light_seed),
                                strong=flags['illumination'])
        if flags['blur']:
            canvas = blur_image(canvas, rng)
        image = finish_image(canvas, rng, float(rng.uniform(1.0, 4.0)))

        landmarks = pts['landmarks'].astype(np.float32)
        box_pts = np.concatenate([landmarks, pts['forehead']])
        lo = np.clip(box_pts.min(0), 0, self.image_size - 1)
        hi = np.clip(box_pts.max(0), 0, self.image_size - 1)
        attributes = dict(
            pose=pose.is_large(),
            expression=expression.clipped().is_strong(),
            illumination=flags['illumination'],
            makeup=flags['makeup'],
            occlusion=flags['occlusion'],
            blur=flags['blur'])
        meta = dict(
            identity=asdict(identity),
            expression=asdict(expression.clipped()),
            pose=asdict(pose),
            attributes={k: bool(v) for k, v in attributes.items()},
            pupils=pts['pupils'].astype(np.float32),
            brow_lower=pts['brow_lower'].astype(np.float32),
            face_box=np.concatenate([lo, hi]).astype(np.float32),
            hair_style=look.hair_style,
            occluder=occluder)
        return image, landmarks, meta

    def _draw_flags(self) -> Dict[str, bool]:
        return {k: bool(self.rng.random() < p) for k, p in self.probs.items()}

    # ----------------------------------------------------------- public
    def sample(self) -> Sample:
        """Draw one face.

        Returns:
            tuple: ``image`` uint8 (S, S, 3) BGR; ``landmarks`` float32
            (68, 2), 0-based pixel coordinates in iBUG order; ``meta`` dict
            with ``identity``, ``expression``, ``pose`` (parameter dicts),
            ``attributes`` (WFLW-style flags: pose, expression,
            illumination, makeup, occlusion, blur), ``pupils`` (2, 2),
            ``brow_lower`` (2, 4, 2), ``face_box`` (4,) xyxy of landmarks
            and forehead, ``hair_style`` and ``occluder`` (str or None).
        """
        rng = self.rng
        identity = IdentityParams.sample(rng)
        expression = ExpressionParams.sample(rng)
        pose = HeadPose.sample(rng, self.image_size, **self.pose_limits)
        flags = self._draw_flags()
        look = FaceAppearance.sample(rng, makeup=flags['makeup'])
        background = render_background(self.image_size, rng, self.clutter)
        light_seed = int(rng.integers(2**31))
        return self._draw(identity, expression, pose, look, background, flags,
                          light_seed, rng)

    def _waves(self, num_frames: int, fps: float,
               amplitude: float) -> np.ndarray:
        """Sum of three slow sinusoids with random phases, shape (T,)."""
        t = np.arange(num_frames) / fps
        freq = self.rng.uniform(0.05, 0.35, 3)
        phase = self.rng.uniform(0, 2 * np.pi, 3)
        amp = amplitude * self.rng.uniform(0.3, 1.0, 3) / 1.8
        return (amp[:, None] *
                np.sin(2 * np.pi * freq[:, None] * t[None] +
                       phase[:, None])).sum(0)

    def sample_video(self, num_frames: int, fps: float = 25.0) -> List[Sample]:
        """Draw one person in a clip with smooth pose and expression changes.

        Identity, colours, background and lighting stay fixed; yaw, pitch,
        roll, position, scale, mouth, smile, brows and gaze follow slow sums
        of sinusoids; blinks are short smooth bumps. Only the sensor noise
        is new in every frame.

        Args:
            num_frames (int): number of frames (>= 1).
            fps (float): frame rate that sets the speed of the motion.

        Returns:
            list: ``num_frames`` tuples ``(image, landmarks, meta)`` as in
            :meth:`sample`; ``meta`` also holds ``frame_index`` (0-based).
        """
        if num_frames < 1:
            raise ValueError(f'num_frames must be >= 1, got {num_frames}')
        rng = self.rng
        size = self.image_size
        identity = IdentityParams.sample(rng)
        base_expr = ExpressionParams.sample(rng)
        base = HeadPose.sample(rng, size, max_yaw=25.0, max_pitch=12.0,
                               max_roll=15.0)
        base = replace(base, scale=base.scale * 0.85)
        flags = dict(self._draw_flags(), occlusion=False, blur=False)
        look = FaceAppearance.sample(rng, makeup=flags['makeup'])
        background = render_background(size, rng, self.clutter)
        light_seed = int(rng.integers(2**31))
        lim = self.pose_limits
        track = dict(
            yaw=np.clip(base.yaw + self._waves(num_frames, fps, 18.0),
                        -lim['max_yaw'], lim['max_yaw']),
            pitch=np.clip(base.pitch + self._waves(num_frames, fps, 7.0),
                          -lim['max_pitch'], lim['max_pitch']),
            roll=np.clip(base.roll + self._waves(num_frames, fps, 7.0),
                         -lim['max_roll'], lim['max_roll']),
            center_x=base.center_x + self._waves(num_frames, fps, 0.03 * size),
            center_y=base.center_y + self._waves(num_frames, fps, 0.03 * size),
            scale=base.scale * (1 + self._waves(num_frames, fps, 0.05)))
        t = np.arange(num_frames) / fps
        blink = np.zeros(num_frames)
        for tb in rng.uniform(0, t[-1] + 1e-6, rng.poisson(0.3 * t[-1] + 0.5)):
            blink = np.maximum(blink, np.exp(-((t - tb) / 0.06)**2))
        expr_track = dict(
            mouth_open=base_expr.mouth_open +
            self._waves(num_frames, fps, 0.4),
            smile=base_expr.smile + self._waves(num_frames, fps, 0.4),
            brow_raise=base_expr.brow_raise +
            self._waves(num_frames, fps, 0.4),
            gaze_x=base_expr.gaze_x + self._waves(num_frames, fps, 0.5),
            gaze_y=base_expr.gaze_y + self._waves(num_frames, fps, 0.3),
            eye_closure=np.maximum(base_expr.eye_closure * 0.3, blink))
        frames = []
        for i in range(num_frames):
            pose = replace(base, **{k: float(v[i]) for k, v in track.items()})
            expression = replace(
                base_expr, **{k: float(v[i])
                              for k, v in expr_track.items()}).clipped()
            image, landmarks, meta = self._draw(identity, expression, pose,
                                                look, background, flags,
                                                light_seed, rng)
            meta['frame_index'] = i
            frames.append((image, landmarks, meta))
        return frames
