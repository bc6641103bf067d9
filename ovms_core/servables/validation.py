"""Request validation in the OVMS order (SPEC 8.1), producing arrays ready for OpenVINO."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Protocol

import numpy as np

from ovms_core.base.errors import OvmsError
from ovms_core.base.status_codes import StatusCode
from ovms_core.base.tensors import shareable, view_buffer
from ovms_core.execution.tensor_info import TensorInfo
from ovms_core.servables.types import InferInput, InferRequest

__all__ = ["Ports", "prepare_inputs", "select_outputs"]


class Ports(Protocol):
    """Anything requests are validated against: a loaded model or a pipeline."""

    @property
    def inputs(self) -> Mapping[str, TensorInfo]: ...

    @property
    def outputs(self) -> Mapping[str, TensorInfo]: ...


def prepare_inputs(
    request: InferRequest, model: Ports, optional_inputs: int = 0
) -> list[tuple[int, np.ndarray]]:
    """Validate every input against ``model`` and return ``(input index, array)`` pairs.

    ``optional_inputs`` counts recognised extra inputs (a stateful model's ``sequence_id`` and
    ``sequence_control_input``) the request carries beside the model's own.
    """
    expected = len(model.inputs) + optional_inputs
    given = request.inputs
    if len(given) != expected or not given:
        raise OvmsError(
            StatusCode.INVALID_NO_OF_INPUTS, f"Expected: {expected}; Actual: {len(given)}"
        )
    by_name = {item.name: item for item in given}
    prefix = request.input_name_prefix
    ovms_names = request.ovms_precision_names
    prepared = []
    for info in model.inputs.values():
        item = by_name.get(info.name)
        if item is None:
            item = next((by_name[a] for a in info.aliases if a in by_name), None)
        if item is None:
            raise OvmsError(StatusCode.INVALID_MISSING_INPUT, f"Required input: {info.name}")
        prepared.append((info.index, _prepare(item, info, prefix + info.name, ovms_names)))
    return prepared


def _prepare(item: InferInput, info: TensorInfo, where: str, ovms_names: bool) -> np.ndarray:
    shape = tuple(item.shape)
    if any(d < 0 for d in shape):
        raise OvmsError(
            StatusCode.INVALID_SHAPE,
            f"Negative or zero dimension size is not acceptable: {_text(shape)}; {where}",
        )
    if item.datatype != info.datatype.kserve:
        expected = info.datatype.ovms if ovms_names else info.datatype.kserve
        raise OvmsError(
            StatusCode.INVALID_PRECISION,
            f"Expected: {expected}; Actual: {item.label or item.datatype}; {where}",
        )
    dims = info.dims
    if len(shape) != len(dims):
        raise OvmsError(
            StatusCode.INVALID_NO_OF_SHAPE_DIMENSIONS,
            f"Expected: {info.shape_text()}; Actual: {_text(shape)}; {where}",
        )
    batch = info.batch_index
    for position, (size, dim) in enumerate(zip(shape, dims, strict=True)):
        if dim.lo == -1 or (dim.lo <= size <= dim.hi):
            continue
        if position == batch:
            expected = str(dim.lo) if dim.lo == dim.hi else f"[{dim.lo}~{dim.hi}]"
            raise OvmsError(
                StatusCode.INVALID_BATCH_SIZE, f"Expected: {expected}; Actual: {size}; {where}"
            )
        raise OvmsError(
            StatusCode.INVALID_SHAPE,
            f"Expected: {info.shape_text()}; Actual: {_text(shape)}; {where}",
        )
    count = 1
    for size in shape:
        count *= size
    dtype = info.datatype.numpy
    if item.raw is not None:
        expected_bytes = count * dtype.itemsize
        actual = memoryview(item.raw).nbytes
        if actual != expected_bytes:
            raise OvmsError(
                StatusCode.INVALID_CONTENT_SIZE,
                f"Expected: {expected_bytes} bytes; Actual: {actual} bytes; {where}",
            )
        return shareable(view_buffer(item.raw, dtype, shape))
    values = item.values
    if values is None or values.size != count:
        actual_count = 0 if values is None else values.size
        raise OvmsError(
            StatusCode.INVALID_VALUE_COUNT,
            f"Expected: {count} values; Actual: {actual_count} values; {where}",
        )
    if dtype.kind == "O":  # strings: OpenVINO takes numpy bytes arrays (and copies them)
        return values.astype(np.bytes_).reshape(shape)
    if values.dtype != dtype:
        values = values.astype(dtype)
    return shareable(values.reshape(shape))


def select_outputs(request: InferRequest, model: Ports) -> list[TensorInfo]:
    """The outputs to return: those requested by name, or all of them."""
    if not request.outputs:
        return list(model.outputs.values())
    selected = []
    for name in request.outputs:
        info = model.outputs.get(name)
        if info is None:
            raise OvmsError(StatusCode.INVALID_MISSING_OUTPUT, f"Required output: {name}")
        selected.append(info)
    return selected


_SHOWN_DIMS = 16


def _text(shape: tuple[int, ...]) -> str:
    """The shape as OVMS writes it; past 16 dimensions, the first and last 8 and the rank."""
    if len(shape) <= _SHOWN_DIMS:
        return "(" + ",".join(str(d) for d in shape) + ")"
    half = _SHOWN_DIMS // 2
    head = ",".join(str(d) for d in shape[:half])
    tail = ",".join(str(d) for d in shape[-half:])
    return f"({head},...,{tail}; {len(shape)} dimensions)"
