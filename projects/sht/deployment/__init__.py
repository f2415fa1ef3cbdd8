"""CPU deployment of DHLN: ONNX export, int8 quantisation calibrated on
generated faces, and runtime backbones (onnxruntime, bf16 autocast) that
run through the estimator's own pre- and post-processing.

Submodules import onnx / onnxruntime only when used.
"""
