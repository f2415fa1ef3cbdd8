"""``MMPoseInferencer`` for SHT models: the inference model alone (FPTN and
its VGG-19 are never built), faces found in whole photos, and the
hallucinated face returned or saved beside the drawn landmarks.

Example::

    import sht
    from sht.apis import FaceInferencer

    inferencer = FaceInferencer(pose2d=CONFIG, pose2d_weights=CHECKPOINT,
                                device='cpu')          # Haar face detector
    for result in inferencer('photos/', vis_out_dir='vis', draw_face=True,
                             return_faces=True, face_out_dir='faces'):
        result['predictions'][0]   # one dict per face: keypoints (K, 2) ...
        result['faces'][0]         # hallucinated faces (H, W, 3) RGB uint8

Inputs: an image file, a folder of images, a video file, or arrays (H, W)
gray / (H, W, 3) BGR. ``bboxes=[[x1, y1, x2, y2], ...]`` (one list per
input) skips the detector; without a face the whole image is used and a
:class:`~sht.apis.face_detection.WholeImageWarning` says so.
"""
import copy
import mimetypes
import os
import os.path as osp
from typing import Dict, List, Optional, Sequence, Union

import cv2
import numpy as np
from mmengine.config import ConfigDict
from mmpose.apis import MMPoseInferencer
from mmpose.apis.inferencers import Pose2DInferencer
from mmpose.registry import INFERENCERS
from mmpose.structures import PoseDataSample
from torch import nn

from .face_detection import DetectorSpec, build_face_detector, face_boxes
from .inference import ImageReadError, face_to_uint8, read_image

FACE_VIS_KWARGS = {'draw_face'}
FACE_POST_KWARGS = {'return_faces', 'face_out_dir'}
DEFAULT_VISUALIZER = dict(
    type='PoseLocalVisualizer',
    vis_backends=[dict(type='LocalVisBackend')],
    name='face_visualizer')


def _kind(path: str) -> Optional[str]:
    """'image', 'video' or None from a file name."""
    guess = mimetypes.guess_type(path)[0]
    return guess.split('/')[0] if guess else None


def instance_faces(pred: PoseDataSample) -> List[np.ndarray]:
    """The hallucinated faces of a merged prediction, one per instance.

    Returns:
        list[np.ndarray]: (H, W, 3) RGB uint8 each (empty without an SR
        stream or with ``test_cfg.output_face=False``).
    """
    instances = pred.get('pred_instances')
    if instances is None or 'hallucinated_face' not in instances:
        return []
    return [face_to_uint8(f, bgr=False) for f in instances.hallucinated_face]


def beside_faces(vis: np.ndarray, faces: Sequence[np.ndarray],
                 slots: Optional[int] = None) -> np.ndarray:
    """A visualisation (H, W, 3) with its faces stacked to its right.

    Args:
        vis (np.ndarray): The drawn image (H, W, 3).
        faces (Sequence[np.ndarray]): Faces (h, w, 3), each resized to a
            square of side ``H / n`` (``n`` faces or ``slots``).
        slots (int, optional): Exactly this many cells (the first faces;
            blank cells when fewer), so that every video frame has one size.
    """
    n = len(faces) if slots is None else slots
    if n == 0:
        return vis
    h = vis.shape[0]
    side = max(1, h // n)
    column = np.full((h, side, 3), 255, np.uint8)
    for i, face in enumerate(faces[:n]):
        column[i * side:(i + 1) * side] = cv2.resize(
            face, (side, side), interpolation=cv2.INTER_CUBIC)
    return np.hstack([vis, column])


@INFERENCERS.register_module(name='face-landmarks')
@INFERENCERS.register_module()
class FacePose2DInferencer(Pose2DInferencer):
    """mmpose's ``Pose2DInferencer`` for SHT face models.

    Differences: the model is built as mmpose's ``init_model`` builds it
    (``train_cfg=None``: no FPTN, no VGG-19 file needed); faces come from
    :func:`~sht.apis.face_detection.build_face_detector` (``det_model``:
    ``'haar'`` by default, ``'whole_image'``, a cascade ``.xml``, an mmdet
    config with ``det_weights``, or a callable); ``bboxes`` given to the
    call are used; gray arrays are accepted; an input that is not an
    image, a video or a folder raises an error naming it.

    Args: as ``Pose2DInferencer``.
    """

    visualize_kwargs = Pose2DInferencer.visualize_kwargs | FACE_VIS_KWARGS
    postprocess_kwargs = Pose2DInferencer.postprocess_kwargs | \
        FACE_POST_KWARGS

    def _init_model(self, cfg: ConfigDict, weights: Optional[str],
                    device: str = 'cpu') -> nn.Module:
        """Build the inference model: ``train_cfg=None`` as in
        ``init_model``; a config without ``data_mode`` is top-down."""
        if cfg and 'model' in cfg:
            cfg.setdefault('data_mode', 'topdown')
            cfg = copy.deepcopy(cfg)
            cfg.model.train_cfg = None
        try:
            model = super()._init_model(cfg, weights, device)
        except AssertionError as err:  # mmpose's parse_pose_metainfo
            dataset = cfg.get('train_dataloader', {}).get('dataset', {})
            raise ValueError(
                f'{weights or "the config"}: no keypoint metainfo (the '
                f'training set {dataset.get("type")!r} names none); set '
                'train_dataloader.dataset.metainfo') from err
        if model.dataset_meta is None:
            raise ValueError(
                f'{weights or "the config"}: no keypoint metainfo in the '
                'checkpoint (meta.dataset_meta) or the config '
                '(train_dataloader.dataset.metainfo)')
        model.test_cfg['face_in_instances'] = True
        return model

    def _init_visualizer(self, cfg):
        """The config's visualizer, or a ``PoseLocalVisualizer``."""
        if 'visualizer' not in cfg:
            cfg = copy.deepcopy(cfg)
            cfg.visualizer = ConfigDict(DEFAULT_VISUALIZER)
        return super()._init_visualizer(cfg)

    def _init_detector(self,
                       det_model: DetectorSpec = None,
                       det_weights: Optional[str] = None,
                       det_cat_ids: Optional[Union[int, Sequence]] = None,
                       device: Optional[str] = None) -> None:
        """A face detector (see :func:`build_face_detector`)."""
        cat_ids = tuple(np.atleast_1d(0 if det_cat_ids is None else
                                      det_cat_ids).tolist())
        self.det_cat_ids = cat_ids
        if device is None:  # the pose model's
            device = str(next(self.model.parameters()).device)
        self.detector = build_face_detector(det_model, det_weights, device,
                                            cat_ids)

    def _inputs_to_list(self, inputs):
        """Files, folders, videos and arrays; names an unreadable input."""
        if not isinstance(inputs, str) or inputs.startswith('webcam'):
            return super()._inputs_to_list(inputs)
        if osp.isdir(inputs):
            files = sorted(f for f in os.listdir(inputs)
                           if _kind(f) == 'image')
            if not files:
                raise FileNotFoundError(f'{inputs}: no image files in this '
                                        'folder')
            self._video_input = False
            return [osp.join(inputs, f) for f in files]
        if not osp.isfile(inputs):
            raise FileNotFoundError(f'{inputs}: no such image, video or '
                                    'folder')
        if _kind(inputs) == 'video':
            capture = cv2.VideoCapture(inputs)
            opened = capture.isOpened()
            capture.release()
            if not opened:
                raise ImageReadError(f'{inputs}: the video cannot be opened')
            return super()._inputs_to_list(inputs)
        self._video_input = False
        if _kind(inputs) != 'image' and cv2.imread(inputs) is None:
            raise ImageReadError(
                f'{inputs}: not an image, a video or a folder of images')
        return [inputs]

    def preprocess_single(self,
                          input,
                          index: int,
                          bbox_thr: float = 0.3,
                          nms_thr: float = 0.3,
                          bboxes=()):
        """One input -> one pipeline result per face box.

        Args:
            input (str | np.ndarray): Image file or array.
            index (int): Index of the input (names arrays).
            bbox_thr, nms_thr: Unused (each detector has its own).
            bboxes (array-like): (N, 4) or (N, 5) boxes ``x1, y1, x2, y2[,
                score]`` for this input; empty: detect.
        """
        name = input if isinstance(input, str) else f'input {index}'
        img = read_image(input)
        data_info = dict(
            img=img,
            img_path=input if isinstance(input, str) else
            f'{index}.jpg'.rjust(10, '0'))
        data_info.update(self.model.dataset_meta)
        boxes = np.asarray(bboxes if bboxes is not None else [],
                           np.float32)
        if boxes.size:
            boxes = boxes.reshape(len(boxes), -1)
            if boxes.shape[1] == 4:
                boxes = np.concatenate([boxes, np.ones_like(boxes[:, :1])],
                                       axis=1)
        else:
            boxes, _ = face_boxes(img, self.detector, name)
        data_infos = []
        for box in boxes:
            inst = dict(data_info, bbox=box[None, :4], bbox_score=box[4:5])
            data_infos.append(self.pipeline(inst))
        return data_infos

    def visualize(self, inputs: list, preds: List[PoseDataSample],
                  return_vis: bool = False, vis_out_dir: str = '',
                  draw_face: bool = False, **kwargs) -> List[np.ndarray]:
        """mmpose's drawing; ``draw_face`` puts the hallucinated faces to
        the right of the drawn landmarks (one cell per frame of a video)."""
        inputs = [read_image(i) if isinstance(i, np.ndarray) else i
                  for i in inputs]
        if not draw_face:
            return super().visualize(inputs, preds, return_vis=return_vis,
                                     vis_out_dir=vis_out_dir, **kwargs)
        kwargs['show'] = False
        vis = super().visualize(inputs, preds, return_vis=True, **kwargs)
        slots = 1 if self._video_input else None
        vis = [beside_faces(v, instance_faces(p), slots)
               for v, p in zip(vis, preds)]
        if vis_out_dir:
            for v, pred in zip(vis, preds):
                self.save_visualization(
                    v, vis_out_dir,
                    img_name=osp.basename(pred.metainfo['img_path']))
        return vis if return_vis else []


@INFERENCERS.register_module()
class FaceInferencer(MMPoseInferencer):
    """``MMPoseInferencer`` for SHT face models (2D only), built on
    :class:`FacePose2DInferencer`.

    Call options beyond mmpose's: ``draw_face`` (visualisation with the
    hallucinated faces beside the landmarks), ``return_faces`` (the faces,
    (H, W, 3) RGB uint8, under the result's ``'faces'``: one list per
    input), ``face_out_dir`` (saves ``<input>_face<i>.png``).

    Args:
        pose2d (str | Config): Model config (file or object).
        pose2d_weights (str, optional): Checkpoint.
        device (str, optional): e.g. ``'cpu'``.
        scope (str): Registry scope. Defaults to ``'mmpose'``.
        det_model, det_weights, det_cat_ids: The face detector, see
            :func:`~sht.apis.face_detection.build_face_detector`.
        show_progress (bool): A progress bar over the inputs.
    """

    visualize_kwargs = MMPoseInferencer.visualize_kwargs | FACE_VIS_KWARGS
    postprocess_kwargs = MMPoseInferencer.postprocess_kwargs | \
        FACE_POST_KWARGS

    def __init__(self,
                 pose2d,
                 pose2d_weights: Optional[str] = None,
                 device: Optional[str] = None,
                 scope: str = 'mmpose',
                 det_model: DetectorSpec = None,
                 det_weights: Optional[str] = None,
                 det_cat_ids: Optional[Union[int, Sequence]] = None,
                 show_progress: bool = False) -> None:
        # MMPoseInferencer.__init__ would build mmpose's Pose2DInferencer
        # (with the training-only parts); this sets the same attributes.
        self.visualizer = None
        self.show_progress = show_progress
        self.inferencer = FacePose2DInferencer(pose2d, pose2d_weights,
                                               device, scope, det_model,
                                               det_weights, det_cat_ids,
                                               show_progress)

    def postprocess(self,
                    preds: List[PoseDataSample],
                    visualization: List[np.ndarray],
                    return_datasamples: bool = False,
                    return_faces: bool = False,
                    face_out_dir: str = '',
                    **kwargs) -> Dict:
        """mmpose's results, plus ``'faces'`` and the saved faces."""
        result = super().postprocess(
            preds, visualization, return_datasamples=return_datasamples,
            **kwargs)
        faces = [instance_faces(pred) for pred in preds]
        if return_faces:
            result['faces'] = faces
        if face_out_dir:
            os.makedirs(face_out_dir, exist_ok=True)
            for pred, image_faces in zip(preds, faces):
                stem = osp.splitext(osp.basename(pred.metainfo['img_path']))
                for i, face in enumerate(image_faces):
                    out = osp.join(face_out_dir, f'{stem[0]}_face{i}.png')
                    if not cv2.imwrite(out, face[..., ::-1]):
                        raise OSError(f'{out}: cannot write the face')
        return result
