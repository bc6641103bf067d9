"""Small OpenVINO models built with the opset API, saved as model repositories."""

from __future__ import annotations

import os
from collections.abc import Sequence

import numpy as np
import openvino as ov
import openvino.opset13 as ops

__all__ = [
    "add_two_inputs_model",
    "dummy_model",
    "mlp_model",
    "resnet50_model",
    "save_version",
]


def dummy_model(shape: Sequence[int] = (1, 10), dtype: ov.Type = ov.Type.f32) -> ov.Model:
    """``a = b + 1``: input ``b``, output ``a`` (the OVMS test workhorse)."""
    b = ops.parameter(list(shape), dtype, name="b")
    one = ops.constant(np.array(1, dtype=dtype.to_dtype()))
    a = ops.add(b, one)
    a.output(0).set_names({"a"})
    return ov.Model([a], [b], "dummy")


def add_two_inputs_model(shape: Sequence[int] = (1, 10)) -> ov.Model:
    """``sum = input1 + input2``."""
    x = ops.parameter(list(shape), ov.Type.f32, name="input1")
    y = ops.parameter(list(shape), ov.Type.f32, name="input2")
    total = ops.add(x, y)
    total.output(0).set_names({"sum"})
    return ov.Model([total], [x, y], "add_two_inputs")


def _dense(x: ov.Node, rng: np.random.Generator, n_in: int, n_out: int) -> ov.Node:
    weights = ops.constant(rng.standard_normal((n_in, n_out)).astype(np.float32) * 0.1)
    bias = ops.constant(rng.standard_normal((1, n_out)).astype(np.float32) * 0.1)
    return ops.add(ops.matmul(x, weights, False, False), bias)


def mlp_model(seed: int = 0) -> ov.Model:
    """64 -> 256 -> 256 -> 10 with random weights: a probe of pure server overhead."""
    rng = np.random.default_rng(seed)
    x = ops.parameter([1, 64], ov.Type.f32, name="input")
    h = ops.relu(_dense(x, rng, 64, 256))
    h = ops.relu(_dense(h, rng, 256, 256))
    out = ops.softmax(_dense(h, rng, 256, 10), 1)
    out.output(0).set_names({"probs"})
    return ov.Model([out], [x], "mlp")


def _conv(
    x: ov.Node, rng: np.random.Generator, c_in: int, c_out: int, k: int, stride: int
) -> ov.Node:
    scale = np.sqrt(2.0 / (c_in * k * k))
    weights = ops.constant((rng.standard_normal((c_out, c_in, k, k)) * scale).astype(np.float32))
    pad = k // 2
    y = ops.convolution(x, weights, [stride, stride], [pad, pad], [pad, pad], [1, 1])
    bias = ops.constant(np.zeros((1, c_out, 1, 1), dtype=np.float32))
    return ops.add(y, bias)


def _bottleneck(
    x: ov.Node, rng: np.random.Generator, c_in: int, width: int, stride: int
) -> ov.Node:
    c_out = width * 4
    y = ops.relu(_conv(x, rng, c_in, width, 1, 1))
    y = ops.relu(_conv(y, rng, width, width, 3, stride))
    y = _conv(y, rng, width, c_out, 1, 1)
    shortcut = x if (c_in == c_out and stride == 1) else _conv(x, rng, c_in, c_out, 1, stride)
    return ops.relu(ops.add(y, shortcut))


def resnet50_model(seed: int = 0) -> ov.Model:
    """ResNet-50 v1.5 structure with random weights: ``input`` [1,3,224,224] -> ``probs``."""
    rng = np.random.default_rng(seed)
    x = ops.parameter([1, 3, 224, 224], ov.Type.f32, name="input")
    y = ops.relu(_conv(x, rng, 3, 64, 7, 2))
    y = ops.max_pool(y, [2, 2], [1, 1], [1, 1], [1, 1], [3, 3], "floor", "explicit").output(0)
    channels = 64
    for width, blocks, stride in ((64, 3, 1), (128, 4, 2), (256, 6, 2), (512, 3, 2)):
        for index in range(blocks):
            y = _bottleneck(y, rng, channels, width, stride if index == 0 else 1)
            channels = width * 4
    y = ops.reduce_mean(y, ops.constant(np.array([2, 3], dtype=np.int64)), False)
    logits = _dense(y, rng, channels, 1000)
    out = ops.softmax(logits, 1)
    out.output(0).set_names({"probs"})
    return ov.Model([out], [x], "resnet50")


def save_version(model: ov.Model, base_path: str, version: int = 1) -> str:
    """Save ``model`` as ``<base_path>/<version>/model.xml`` and return the version folder."""
    folder = os.path.join(base_path, str(version))
    os.makedirs(folder, exist_ok=True)
    ov.save_model(model, os.path.join(folder, "model.xml"), compress_to_fp16=False)
    return folder
