"""Which sequence a request belongs to, read from special inputs or request parameters.

Two ways to say it (SPEC 11):

* special inputs, as the TF-Serving APIs carry them: ``sequence_id`` (UINT64, shape ``[1]``) and
  ``sequence_control_input`` (UINT32, shape ``[1]``; 0 none, 1 start, 2 end), delivered by the
  frontends as ordinary ``InferInput`` entries with those names;
* request parameters, as KServe clients send them (``tritonclient``'s ``infer(sequence_id=...,
  sequence_start=..., sequence_end=...)``): ``sequence_id`` (unsigned integer),
  ``sequence_start`` and ``sequence_end`` (booleans). Both flags may be set at once: a sequence of
  one request.

When a request carries either special input, the special inputs decide and the parameters are
ignored.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np

from ovms_core import InferInput, InferRequest, OvmsError, StatusCode

__all__ = [
    "SEQUENCE_CONTROL_INPUT",
    "SEQUENCE_END",
    "SEQUENCE_ID",
    "SEQUENCE_START",
    "SPECIAL_INPUTS",
    "SequenceControl",
    "read_sequence_control",
]

SEQUENCE_ID = "sequence_id"
SEQUENCE_CONTROL_INPUT = "sequence_control_input"
SPECIAL_INPUTS = frozenset({SEQUENCE_ID, SEQUENCE_CONTROL_INPUT})
NO_CONTROL, SEQUENCE_START, SEQUENCE_END = 0, 1, 2
_UINT64_MAX = 2**64 - 1


@dataclass(frozen=True, slots=True)
class SequenceControl:
    """The sequence a request addresses and what it does to it."""

    sequence_id: int
    """0 only with ``start``: the server chooses an unused id."""
    start: bool = False
    end: bool = False
    special_inputs: int = 0
    """How many special inputs the request carried (they add to the expected input count)."""


def read_sequence_control(request: InferRequest) -> SequenceControl:
    """The sequence control of a request to a stateful model; raises the OVMS errors."""
    id_input = control_input = None
    for item in request.inputs:
        if item.name == SEQUENCE_ID:
            id_input = item
        elif item.name == SEQUENCE_CONTROL_INPUT:
            control_input = item
    if id_input is None and control_input is None:
        return _from_parameters(request.parameters)
    sequence_id = 0
    if id_input is not None:
        sequence_id = _scalar(id_input, "UINT64", StatusCode.SEQUENCE_ID_BAD_TYPE)
    control = NO_CONTROL
    if control_input is not None:
        control = _scalar(control_input, "UINT32", StatusCode.SEQUENCE_CONTROL_INPUT_BAD_TYPE)
    if control not in (NO_CONTROL, SEQUENCE_START, SEQUENCE_END):
        raise OvmsError(StatusCode.INVALID_SEQUENCE_CONTROL_INPUT)
    if control != SEQUENCE_START and sequence_id == 0:
        raise OvmsError(StatusCode.SEQUENCE_ID_NOT_PROVIDED)
    count = (id_input is not None) + (control_input is not None)
    return SequenceControl(
        sequence_id, control == SEQUENCE_START, control == SEQUENCE_END, special_inputs=count
    )


def _scalar(item: InferInput, datatype: str, bad_type: StatusCode) -> int:
    """The single value of a special input, after the OVMS shape and type checks."""
    shape = tuple(item.shape)
    if not shape:
        raise OvmsError(StatusCode.SPECIAL_INPUT_NO_TENSOR_SHAPE)
    required = f"Required shape for {item.name} is: (1)"
    if len(shape) != 1:
        raise OvmsError(StatusCode.INVALID_NO_OF_SHAPE_DIMENSIONS, required)
    if shape[0] != 1:
        raise OvmsError(StatusCode.INVALID_SHAPE, required)
    if item.datatype != datatype:
        raise OvmsError(bad_type)
    values = item.values
    if values is None and item.raw is not None:
        dtype = np.dtype(np.uint64 if datatype == "UINT64" else np.uint32)
        raw = memoryview(item.raw).cast("B")
        values = np.frombuffer(raw, dtype) if raw.nbytes == dtype.itemsize else None
    if values is None or values.size != 1:
        raise OvmsError(bad_type)
    return int(values.reshape(-1)[0])


def _from_parameters(parameters: dict[str, Any]) -> SequenceControl:
    sequence_id = parameters.get(SEQUENCE_ID, 0)
    if (
        not isinstance(sequence_id, int)
        or isinstance(sequence_id, bool)
        or not 0 <= sequence_id <= _UINT64_MAX
    ):
        raise OvmsError(
            StatusCode.SEQUENCE_ID_BAD_TYPE,
            "parameter sequence_id must be an unsigned 64-bit integer",
        )
    start = _flag(parameters, "sequence_start")
    end = _flag(parameters, "sequence_end")
    if sequence_id == 0 and not start:
        raise OvmsError(StatusCode.SEQUENCE_ID_NOT_PROVIDED)
    return SequenceControl(sequence_id, start, end)


def _flag(parameters: dict[str, Any], name: str) -> bool:
    value = parameters.get(name, False)
    if not isinstance(value, bool):
        raise OvmsError(
            StatusCode.INVALID_SEQUENCE_CONTROL_INPUT, f"parameter {name} must be a boolean"
        )
    return value
