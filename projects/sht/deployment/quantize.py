"""Static int8 quantisation of the DHLN ONNX graph, calibrated on faces the
project generates (:mod:`sht.synthetic`).

The calibration faces go through the config's own test pipeline (box from
the landmarks, ``TopdownAffine`` crop at the HR size), the model's data
preprocessor (RGB in [0, 1]) and its bicubic degradation, so the int8
ranges are those of the LR faces the graph receives at test time. They are
drawn with their own seed (:data:`CALIBRATION_SEED`), not the demo's test
faces (seed 0).

Quantisation uses onnxruntime's public API: ``quant_pre_process`` (shape
inference and graph optimisation), then ``quantize_static`` in the QDQ
format with per-channel int8 weights and MinMax-calibrated activations.
"""
import math
import os
import os.path as osp
import tempfile
from typing import Iterator, List, Optional, Sequence

import numpy as np
import torch
from torch import Tensor

from ..models.pose_estimators.dhln_estimator import DHLNEstimator
from .onnx_export import lr_faces

# seed of the calibration faces (the demo's data uses seed 0)
CALIBRATION_SEED = 1000
# the 300W "train" split: afw, helen/trainset, lfpw/trainset
_TRAIN_SUBSETS = 3


def _test_pipeline(cfg) -> List[dict]:
    """The image pipeline of the config's test set."""
    dataset = cfg.test_dataloader.dataset
    while 'pipeline' not in dataset and 'dataset' in dataset:
        dataset = dataset.dataset
    pipeline = dataset.get('pipeline', None) or cfg.get('test_pipeline')
    if not pipeline:
        raise ValueError(f'{cfg.filename}: no test pipeline found')
    return list(pipeline)


def synthetic_hr_faces(cfg,
                       model: DHLNEstimator,
                       num_faces: int,
                       seed: int = CALIBRATION_SEED,
                       batch_size: int = 8,
                       image_size: Optional[int] = None) -> Iterator[Tensor]:
    """Generated faces as the model sees them at test time.

    Faces are written in the 300W layout (:func:`sht.synthetic.write_300w`)
    to a temporary folder and read back through the config's test
    pipeline and the model's data preprocessor.

    Args:
        cfg (mmengine.Config): The model's config (its test pipeline).
        model (DHLNEstimator): The model (its data preprocessor).
        num_faces (int): How many faces.
        seed (int): Seed of the faces. Defaults to
            :data:`CALIBRATION_SEED`.
        batch_size (int): Faces per yielded batch. Defaults to 8.
        image_size (int, optional): Side of the generated images; defaults
            to max(128, HR crop side).

    Yields:
        Tensor: HR crops (n, 3, H, W), RGB in [0, 1], n <= ``batch_size``.
    """
    from mmengine.dataset import pseudo_collate

    from ..datasets import SHTFace300WDataset
    from ..synthetic import write_300w
    if num_faces < 1:
        raise ValueError(f'num_faces must be >= 1, got {num_faces}')
    hr = int(model.head.decoder.input_size[1]) if getattr(
        model.head, 'decoder', None) is not None else 128
    with tempfile.TemporaryDirectory(prefix='sht_calib_') as root:
        write_300w(root, math.ceil(num_faces / _TRAIN_SUBSETS), seed=seed,
                   image_size=image_size or max(128, hr))
        dataset = SHTFace300WDataset(
            data_root=root, raw_split='train', test_mode=True,
            check_images=False, pipeline=_test_pipeline(cfg))
        for start in range(0, num_faces, batch_size):
            items = [dataset[i] for i in
                     range(start, min(start + batch_size, num_faces))]
            with torch.no_grad():
                data = model.data_preprocessor(pseudo_collate(items))
            yield data['inputs']


def calibration_inputs(cfg, model: DHLNEstimator, num_faces: int,
                       seed: int = CALIBRATION_SEED) -> List[np.ndarray]:
    """ONNX inputs (``lr_face``, one (1, 3, s, s) float32 array per face)
    of generated faces, see :func:`synthetic_hr_faces`."""
    out = []
    for hr in synthetic_hr_faces(cfg, model, num_faces, seed):
        lr = lr_faces(model, hr)
        out += [face[None].numpy().astype(np.float32) for face in lr]
    return out


class _ListReader:
    """onnxruntime ``CalibrationDataReader`` over a list of inputs."""

    def __init__(self, inputs: Sequence[np.ndarray],
                 name: str = 'lr_face') -> None:
        self._iter = iter([{name: x} for x in inputs])

    def get_next(self) -> Optional[dict]:
        return next(self._iter, None)


def output_nodes(graph) -> List[str]:
    """Names of the nodes that compute the graph outputs: from each output
    back through element-wise steps (the SR face's clamp and residual add)
    to the convolution that makes it, inclusive.

    Args:
        graph (onnx.GraphProto): The graph.

    Returns:
        list[str]: Node names.
    """
    producers = {o: n for n in graph.node for o in n.output}
    names, todo = [], [o.name for o in graph.output]
    while todo:
        node = producers.get(todo.pop())
        if node is None or node.name in names:
            continue
        names.append(node.name)
        if node.op_type != 'Conv':
            todo += [i for i in node.input if i in producers]
    return names


def quantize_int8(fp32_onnx: str,
                  out_onnx: str,
                  calibration: Sequence[np.ndarray],
                  per_channel: bool = True,
                  activation_type: str = 'uint8',
                  preprocess: bool = True,
                  float_outputs: bool = True) -> str:
    """Static int8 quantisation (QDQ) of an exported DHLN graph.

    Args:
        fp32_onnx (str): The float graph (:func:`onnx_export.export`).
        out_onnx (str): Where to write the int8 graph.
        calibration (Sequence[np.ndarray]): ``lr_face`` inputs
            (n, 3, s, s) float32, e.g. :func:`calibration_inputs`.
        per_channel (bool): Per-output-channel weight scales.
            Defaults to True.
        activation_type (str): ``'uint8'`` (U8S8, onnxruntime's fast path
            on x86 with VNNI) or ``'int8'`` (S8S8). Defaults to 'uint8'.
        preprocess (bool): Run ``quant_pre_process`` (shape inference,
            graph optimisation) first. Defaults to True.
        float_outputs (bool): Keep the nodes that compute the outputs in
            float (:func:`output_nodes`: the last heatmap conv, the SR
            face's last conv and residual): the heatmaps keep their float
            resolution for sub-pixel decoding, at a few MMAC of float
            convolution per face. Defaults to True.

    Returns:
        str: ``out_onnx``.
    """
    from onnxruntime.quantization import (CalibrationDataReader,
                                          CalibrationMethod, QuantFormat,
                                          QuantType, quant_pre_process,
                                          quantize_static)
    if not calibration:
        raise ValueError('quantize_int8 needs calibration inputs')
    act = dict(uint8=QuantType.QUInt8, int8=QuantType.QInt8)[activation_type]

    class Reader(_ListReader, CalibrationDataReader):
        pass

    if osp.dirname(out_onnx):
        os.makedirs(osp.dirname(out_onnx), exist_ok=True)
    with tempfile.TemporaryDirectory(prefix='sht_quant_') as tmp:
        source = fp32_onnx
        if preprocess:
            source = osp.join(tmp, 'preprocessed.onnx')
            # the symbolic pass cannot follow the hourglass merge reshapes;
            # ONNX shape inference and the graph optimisation still run
            quant_pre_process(fp32_onnx, source, skip_symbolic_shape=True)
        import onnx
        # every op type but BatchNormalization: onnxruntime has no int8
        # kernel for it (it runs in float either way), and per-channel
        # scales on its 1-D weights only draw warnings
        graph = onnx.load(source).graph
        op_types = sorted({n.op_type for n in graph.node}
                          - {'BatchNormalization'})
        quantize_static(
            source,
            out_onnx,
            Reader(calibration),
            op_types_to_quantize=op_types,
            nodes_to_exclude=output_nodes(graph) if float_outputs else None,
            quant_format=QuantFormat.QDQ,
            per_channel=per_channel,
            activation_type=act,
            weight_type=QuantType.QInt8,
            # the augmented graph outputs each tensor's min and max only,
            # so every calibration face is kept at little memory cost
            calibrate_method=CalibrationMethod.MinMax)
    return out_onnx
