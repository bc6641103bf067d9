"""Small OpenVINO models built with the opset API, saved as model repositories."""

from __future__ import annotations

import json
import os
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np
import openvino as ov
import openvino.opset13 as ops
from openvino.op.util import Variable, VariableInfo

__all__ = [
    "ModelRepository",
    "add_two_inputs_model",
    "dummy_model",
    "image_model",
    "mlp_model",
    "recurrent_sum_model",
    "resnet50_model",
    "running_sum_model",
    "save_version",
    "string_model",
    "u8_string_model",
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


def running_sum_model(shape: Sequence[int] = (1, 4)) -> ov.Model:
    """Stateful ``sum = state + x; state = sum`` with ReadValue/Assign (variable ``state``).

    Input ``x`` FP32, output ``sum``: each inference returns the total of every ``x`` the
    sequence has sent so far.
    """
    x = ops.parameter(list(shape), ov.Type.f32, name="x")
    info = VariableInfo()
    info.data_shape = ov.PartialShape(list(shape))
    info.data_type = ov.Type.f32
    info.variable_id = "state"
    variable = Variable(info)
    previous = ops.read_value(ops.constant(np.zeros(shape, np.float32)), variable)
    total = ops.add(previous, x)
    total.output(0).set_names({"sum"})
    assign = ops.assign(total, variable)
    return ov.Model(results=[ops.result(total)], sinks=[assign], parameters=[x], name="sum")


def recurrent_sum_model(steps: int = 3, width: int = 2) -> ov.Model:
    """A TensorIterator summing ``x`` [1, steps, width] over time from a zero start: ``sum``.

    Stateless as built; OpenVINO's LowLatency2 (``low_latency_transformation``) turns the
    carried total into a variable, so the total then continues across requests.
    """
    x = ops.parameter([1, steps, width], ov.Type.f32, name="x")
    start = ops.constant(np.zeros((1, width), np.float32))
    body_x = ops.parameter([1, 1, width], ov.Type.f32)
    body_h = ops.parameter([1, width], ov.Type.f32)
    body_sum = ops.add(body_h, ops.squeeze(body_x, ops.constant(np.array([1], np.int64))))
    body = ov.Model([ops.result(body_sum)], [body_x, body_h], "step")
    loop = ops.tensor_iterator()
    loop.set_body(body)
    loop.set_sliced_input(body_x, x.output(0), 0, 1, 1, -1, 1)
    loop.set_merged_input(body_h, start.output(0), body_sum.output(0))
    final = loop.get_iter_value(body_sum.output(0), -1)
    total = ops.multiply(final, ops.constant(np.ones((1, width), np.float32)))
    total.output(0).set_names({"sum"})
    return ov.Model([total], [x], "recurrent_sum")


def image_model(
    shape: Sequence[int] = (1, 4, 4, 3), dtype: ov.Type = ov.Type.f32, name: str = "image"
) -> ov.Model:
    """``pixels = image + 0``: returns the tensor the server built from encoded images."""
    image = ops.parameter(list(shape), dtype, name=name)
    pixels = ops.add(image, ops.constant(np.array(0, dtype=dtype.to_dtype())))
    pixels.output(0).set_names({"pixels"})
    return ov.Model([pixels], [image], "image")


def string_model() -> ov.Model:
    """Native strings: input ``text`` [-1]; outputs ``echo`` (the same) and ``doubled`` (twice)."""
    text = ops.parameter([-1], ov.Type.string, name="text")
    echo = ops.reshape(text, ops.constant(np.array([-1], np.int64)), False)
    echo.output(0).set_names({"echo"})
    doubled = ops.concat([text, text], 0)
    doubled.output(0).set_names({"doubled"})
    return ov.Model([echo, doubled], [text], "strings")


def u8_string_model() -> ov.Model:
    """Strings the 2-D U8 way: input ``text`` U8 [-1,-1]; output ``rows`` (the same bytes)."""
    text = ops.parameter([-1, -1], ov.Type.u8, name="text")
    rows = ops.add(text, ops.constant(np.array(0, np.uint8)))
    rows.output(0).set_names({"rows"})
    return ov.Model([rows], [text], "u8_strings")


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


class ModelRepository:
    """A model repository folder: ``add`` saves models, ``config_file`` lists them."""

    def __init__(self, root: str | os.PathLike[str]) -> None:
        self.root = Path(root)
        self.root.mkdir(parents=True, exist_ok=True)
        self.entries: list[dict[str, Any]] = []

    def add(
        self,
        name: str,
        model: ov.Model | None = None,
        versions: Sequence[int] = (1,),
        **options: Any,
    ) -> Path:
        """Save ``model`` (default: the dummy model) as ``versions`` of ``name``; return its folder.

        ``options`` join the model's entry in ``config_file`` (``nireq``, ``shape``...).
        """
        built = dummy_model() if model is None else model
        for version in versions:
            save_version(built, str(self.root / name), version)
        self.entries.append({"name": name, "base_path": str(self.root / name), **options})
        return self.root / name

    def config_file(self, **settings: Any) -> Path:
        """Write ``config.json`` listing every added model and return its path.

        ``settings`` are further top-level keys (``monitoring``, ``pipeline_config_list``...).
        """
        path = self.root / "config.json"
        config = {"model_config_list": [{"config": entry} for entry in self.entries], **settings}
        path.write_text(json.dumps(config), encoding="utf-8")
        return path
