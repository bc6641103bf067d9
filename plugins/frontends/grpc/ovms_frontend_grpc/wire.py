"""Typed tensor contents read straight from a request's wire bytes, as views.

Protobuf gives a repeated ``float`` field to Python one element at a time, and re-encoding it
to reach its packed bytes holds the event loop for the whole size of the message. The wire
format of a packed field is its values back to back, so walking the few fields around it
(model name, tensors, shapes) finds them, and numpy views them where they lie.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import numpy as np

from ovms_frontend_grpc._generated.ovms import grpc_predict_v2_pb2 as pb
from ovms_frontend_grpc.rpc import Malformed

__all__ = ["WiredInferRequest", "packed_contents", "wired_infer_request"]

_LENGTH_DELIMITED = 2
_INPUTS = pb.ModelInferRequest.DESCRIPTOR.fields_by_name["inputs"].number
_CONTENTS = pb.ModelInferRequest.InferInputTensor.DESCRIPTOR.fields_by_name["contents"].number
_CONTENTS_FIELDS = pb.InferTensorContents.DESCRIPTOR.fields_by_name


@dataclass(frozen=True, slots=True)
class WiredInferRequest:
    """A parsed ``ModelInferRequest`` with the bytes it was parsed from."""

    message: pb.ModelInferRequest
    wire: bytes


_MALFORMED = Malformed(pb.ModelInferRequest.DESCRIPTOR.full_name)


def wired_infer_request(data: bytes) -> WiredInferRequest | Malformed:
    """The request deserializer of ``ModelInfer``: bad bytes become ``Malformed``."""
    try:
        return WiredInferRequest(pb.ModelInferRequest.FromString(data), data)
    except Exception:
        return _MALFORMED


def _varint(data: memoryview, position: int) -> tuple[int, int]:
    value, shift = 0, 0
    while True:
        byte = data[position]
        position += 1
        value |= (byte & 0x7F) << shift
        shift += 7
        if byte < 0x80:
            return value, position


def _fields(data: memoryview) -> Iterator[tuple[int, int, memoryview]]:
    """(number, wire type, payload) of each field; payloads are views for length-delimited ones."""
    position, end = 0, len(data)
    while position < end:
        key, position = _varint(data, position)
        number, wire_type = key >> 3, key & 7
        if wire_type == 0:
            _, after = _varint(data, position)
        elif wire_type == 1:
            after = position + 8
        elif wire_type == _LENGTH_DELIMITED:
            length, position = _varint(data, position)
            after = position + length
        elif wire_type == 5:
            after = position + 4
        else:
            raise ValueError("group fields are not used by this protocol")
        if after > end:
            raise ValueError("truncated field")
        yield number, wire_type, data[position:after]
        position = after


def packed_contents(wire: bytes, index: int, field: str, dtype: np.dtype[Any]) -> np.ndarray | None:
    """Input ``index``'s ``contents.<field>`` as a view of ``wire``, when that is all it holds.

    None when the contents hold another field too, or repeat the field, or the bytes are not
    what the parsed message implies: the caller then reads the parsed message instead.
    """
    wanted = _CONTENTS_FIELDS[field].number
    try:
        tensors = [p for n, t, p in _fields(memoryview(wire)) if n == _INPUTS and t == 2]
        if index >= len(tensors):
            return None
        contents = [p for n, t, p in _fields(tensors[index]) if n == _CONTENTS and t == 2]
        if len(contents) != 1:
            return None
        [(number, wire_type, values)] = list(_fields(contents[0])) or [(0, 0, memoryview(b""))]
    except ValueError:
        return None
    if number != wanted or wire_type != _LENGTH_DELIMITED or len(values) % dtype.itemsize:
        return None
    return np.frombuffer(values, dtype=dtype)
