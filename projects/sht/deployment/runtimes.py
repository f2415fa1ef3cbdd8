"""DHLN on other runtimes, behind the estimator's own pre/post-processing.

Each runtime is a module with DHLN's interface (``forward(lr, with_face)
-> (heatmaps, sr)``, ``with_landmark_stream``, ``with_sr_stream``);
:func:`with_backbone` puts one into a copy of an estimator, so the HR crop
goes through the same degradation, heatmap decoding (the config's codec)
and mapping to image coordinates as in the PyTorch model:

- :class:`OnnxBackbone`: an onnxruntime session of the exported graph
  (float32 or int8, :mod:`sht.deployment.onnx_export` /
  :mod:`sht.deployment.quantize`);
- :class:`AutocastBackbone`: the PyTorch backbone under
  ``torch.autocast(dtype=torch.bfloat16)`` (CPU), outputs cast back to
  float32.
"""
from copy import deepcopy
from typing import Optional, Tuple

import torch
import torch.nn as nn
from torch import Tensor

from ..models.pose_estimators.dhln_estimator import DHLNEstimator

HeatmapsAndFace = Tuple[Optional[Tuple[Tensor, ...]], Optional[Tensor]]


def ort_session(path: str, threads: Optional[int] = None,
                spinning: bool = False):
    """A CPU onnxruntime session with all graph optimisations.

    Args:
        path (str): ``.onnx`` file.
        threads (int, optional): Intra-op threads; defaults to
            ``torch.get_num_threads()`` (the same as PyTorch's).
        spinning (bool): Let idle worker threads spin. Off by default: a
            spinning pool takes cores from whatever runs next (PyTorch
            calls interleaved with it in a benchmark, data loading).

    Returns:
        onnxruntime.InferenceSession: The session.
    """
    import onnxruntime as ort
    opts = ort.SessionOptions()
    opts.graph_optimization_level = ort.GraphOptimizationLevel.ORT_ENABLE_ALL
    opts.intra_op_num_threads = int(threads or torch.get_num_threads())
    opts.inter_op_num_threads = 1
    opts.add_session_config_entry('session.intra_op.allow_spinning',
                                  '1' if spinning else '0')
    return ort.InferenceSession(
        path, sess_options=opts, providers=['CPUExecutionProvider'])


class OnnxBackbone(nn.Module):
    """DHLN's interface on an onnxruntime session of the exported graph.

    The graph (``lr_face`` -> ``heatmaps`` (last stack) and / or
    ``sr_face``) takes the LR face before any bicubic up-sampling (that is
    in the graph), so the estimator it serves must not up-sample
    (:func:`with_backbone` sets ``lr_upsample_to = None``).

    Args:
        session (onnxruntime.InferenceSession): The session.
        with_landmark_stream (bool): The graph outputs ``heatmaps``.
        with_sr_stream (bool): The graph outputs ``sr_face``.
    """

    def __init__(self, session, with_landmark_stream: bool = True,
                 with_sr_stream: bool = True) -> None:
        super().__init__()
        self.session = session
        self.with_landmark_stream = with_landmark_stream
        self.with_sr_stream = with_sr_stream
        self.output_names = [o.name for o in session.get_outputs()]
        expected = ((['heatmaps'] if with_landmark_stream else []) +
                    (['sr_face'] if with_sr_stream else []))
        if self.output_names != expected:
            raise ValueError(f'the graph outputs {self.output_names}, '
                             f'expected {expected}')

    def forward(self, lr: Tensor, with_face: bool = True) -> HeatmapsAndFace:
        """LR faces (N, 3, s, s) -> ((heatmaps (N, K, h, w), ), SR face
        (N, 3, H, W) in [0, 1] or None), as :class:`DHLN` (last stack)."""
        names = [n for n in self.output_names if with_face or n != 'sr_face']
        feed = {'lr_face': lr.detach().float().contiguous().cpu().numpy()}
        outs = dict(zip(names, self.session.run(names, feed)))
        heatmaps = (torch.from_numpy(outs['heatmaps']), ) \
            if 'heatmaps' in outs else None
        sr = torch.from_numpy(outs['sr_face']) if 'sr_face' in outs else None
        return heatmaps, sr


class AutocastBackbone(nn.Module):
    """A backbone run under ``torch.autocast`` (bf16 on the CPU).

    Convolutions run in the low precision; the outputs are cast back to
    float32 for decoding.

    Args:
        backbone (nn.Module): A DHLN (e.g. after ``fuse_conv_bn`` and
            ``to_channels_last``).
        dtype (torch.dtype): Autocast dtype. Defaults to bfloat16.
        device_type (str): Autocast device type. Defaults to 'cpu'.
    """

    def __init__(self, backbone: nn.Module,
                 dtype: torch.dtype = torch.bfloat16,
                 device_type: str = 'cpu') -> None:
        super().__init__()
        self.backbone = backbone
        self.dtype = dtype
        self.device_type = device_type

    @property
    def with_landmark_stream(self) -> bool:
        return getattr(self.backbone, 'with_landmark_stream', True)

    @property
    def with_sr_stream(self) -> bool:
        return getattr(self.backbone, 'with_sr_stream', True)

    def forward(self, lr: Tensor, with_face: bool = True) -> HeatmapsAndFace:
        """As the wrapped backbone, float32 outputs."""
        with torch.autocast(self.device_type, dtype=self.dtype):
            heatmaps, sr = self.backbone(lr, with_face=with_face)
        if heatmaps is not None:
            heatmaps = tuple(h.float() for h in heatmaps)
        return heatmaps, (sr.float() if sr is not None else None)


def with_backbone(model: DHLNEstimator, backbone: nn.Module,
                  upsample_in_backbone: bool = False) -> DHLNEstimator:
    """A copy of ``model`` whose backbone is ``backbone``.

    The head, data preprocessor and test settings are copied; the original
    backbone's weights are not (``backbone`` takes its place in the copy).

    Args:
        model (DHLNEstimator): The estimator (left unchanged).
        backbone (nn.Module): A module with DHLN's interface.
        upsample_in_backbone (bool): ``backbone`` does the bicubic
            up-sampling of the LR face itself (the ONNX graph): the copy
            then hands it the LR face as degraded (``lr_upsample_to =
            None``). Defaults to False.

    Returns:
        DHLNEstimator: The copy, in eval mode.
    """
    clone = deepcopy(model, {id(model.backbone): backbone})
    if upsample_in_backbone:
        clone.lr_upsample_to = None
    clone.eval()
    return clone


def onnx_estimator(model: DHLNEstimator, onnx_file: str,
                   threads: Optional[int] = None) -> DHLNEstimator:
    """``model`` with its DHLN replaced by an onnxruntime session of
    ``onnx_file`` (the graph of :func:`onnx_export.export` for this model,
    float or quantised)."""
    backbone = OnnxBackbone(
        ort_session(onnx_file, threads),
        with_landmark_stream=model.backbone.with_landmark_stream,
        with_sr_stream=model.backbone.with_sr_stream)
    return with_backbone(model, backbone, upsample_in_backbone=True)
