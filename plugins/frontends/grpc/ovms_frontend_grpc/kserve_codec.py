"""KServe v2 gRPC messages to and from the dataplane's neutral types.

Raw contents become numpy views of the message's bytes and outputs go back as raw bytes: no
Python list of elements on that path. Typed ``contents`` are read with ``np.fromiter``, except
FP32 and FP64 ones, viewed in their packed wire form.

Request ``parameters`` reach the dataplane as Python values (a stateful model reads
``sequence_id``, ``sequence_start`` and ``sequence_end`` there, as ``tritonclient`` sends them);
result parameters (a stateful model's ``sequence_id``) go back in the response's ``parameters``.
"""

from __future__ import annotations

import struct
from collections.abc import Mapping
from typing import Any

import numpy as np

from ovms_core import (
    InferInput,
    InferRequest,
    InferResult,
    ModelMetadata,
    OutputTensor,
    OvmsError,
    StatusCode,
)
from ovms_frontend_grpc._generated.ovms import grpc_predict_v2_pb2 as pb
from ovms_frontend_grpc.wire import packed_contents

__all__ = [
    "decode_infer_request",
    "encode_infer_response",
    "encode_model_metadata",
    "join_bytes",
    "parse_version",
    "split_bytes",
]

_INT64_MAX = 2**63 - 1
_UINT64_MAX = 2**64 - 1
_LENGTH = struct.Struct("<I")

# Datatypes narrower than their contents field: values beyond their range are refused.
_NARROW: dict[str, type[np.integer[Any]]] = {
    "INT8": np.int8,
    "INT16": np.int16,
    "UINT8": np.uint8,
    "UINT16": np.uint16,
}

# datatype -> (InferTensorContents field, dtype of that field's elements)
_CONTENTS: dict[str, tuple[str, type[np.generic]]] = {
    "BOOL": ("bool_contents", np.bool_),
    "INT8": ("int_contents", np.int32),
    "INT16": ("int_contents", np.int32),
    "INT32": ("int_contents", np.int32),
    "INT64": ("int64_contents", np.int64),
    "UINT8": ("uint_contents", np.uint32),
    "UINT16": ("uint_contents", np.uint32),
    "UINT32": ("uint_contents", np.uint32),
    "UINT64": ("uint64_contents", np.uint64),
    "FP32": ("fp32_contents", np.float32),
    "FP64": ("fp64_contents", np.float64),
}


def parse_version(text: str) -> int | None:
    """A version from a request's string field; empty means the default version."""
    if not text:
        return None
    if not (text.isascii() and text.isdigit()):
        raise OvmsError(StatusCode.MODEL_VERSION_INVALID_FORMAT)
    value = int(text)
    if value > _INT64_MAX:
        raise OvmsError(StatusCode.MODEL_VERSION_MISSING)
    return value


def decode_infer_request(message: pb.ModelInferRequest, wire: bytes | None = None) -> InferRequest:
    """The neutral request; raw contents are viewed, not copied.

    With ``wire``, the bytes ``message`` was parsed from, FP32 and FP64 typed contents are
    viewed in them too.
    """
    tensors = message.inputs
    raw_contents = list(message.raw_input_contents)
    if raw_contents:
        for tensor in tensors:
            if tensor.HasField("contents"):
                raise OvmsError(
                    StatusCode.INVALID_MESSAGE_STRUCTURE,
                    "Passing buffers both in InferInputTensor contents and in raw_input_contents "
                    "is not allowed. Detected buffer in InferInputTensor contents for input: "
                    f"{tensor.name}",
                )
        if len(raw_contents) != len(tensors):
            raise OvmsError(
                StatusCode.INVALID_MESSAGE_STRUCTURE,
                f"raw_input_contents has {len(raw_contents)} buffers for {len(tensors)} inputs",
            )
    inputs = []
    for position, tensor in enumerate(tensors):
        name, datatype, shape = tensor.name, tensor.datatype, list(tensor.shape)
        if raw_contents:
            raw = raw_contents[position]
            if datatype == "BYTES":
                item = InferInput(name, datatype, shape, values=split_bytes(raw, name))
            else:
                item = InferInput(name, datatype, shape, raw=raw)
        else:
            values = _typed_values(tensor, datatype, wire, position)
            item = InferInput(name, datatype, shape, values=values)
        inputs.append(item)
    return InferRequest(
        model_name=message.model_name,
        model_version=parse_version(message.model_version),
        inputs=inputs,
        id=message.id,
        parameters=_parameters(message.parameters),
        input_name_prefix="input name: input name: ",
        unknown_name_code=StatusCode.MEDIAPIPE_DEFINITION_NAME_MISSING,
    )


def _typed_values(
    tensor: pb.ModelInferRequest.InferInputTensor,
    datatype: str,
    wire: bytes | None,
    position: int,
) -> np.ndarray | None:
    if not tensor.HasField("contents"):
        return None
    contents = tensor.contents
    if datatype == "BYTES":
        items = contents.bytes_contents
        array = np.empty(len(items), dtype=object)
        array[:] = items
        return array
    spec = _CONTENTS.get(datatype)
    if spec is None:  # FP16 and BF16 have no typed field: raw contents only
        return None
    if wire is not None and datatype in ("FP32", "FP64"):
        packed = packed_contents(wire, position, spec[0], np.dtype(spec[1]).newbyteorder("<"))
        if packed is not None:
            return packed
    field = getattr(contents, spec[0])
    values = np.fromiter(field, dtype=spec[1], count=len(field))
    if datatype in _NARROW and values.size:
        limits = np.iinfo(_NARROW[datatype])
        if values.min() < limits.min or values.max() > limits.max:
            raise OvmsError(
                StatusCode.INVALID_PRECISION,
                f"{spec[0]} value out of range for {datatype} input {tensor.name}",
            )
    return values


def _parameters(parameters: Mapping[str, pb.InferParameter]) -> dict[str, Any]:
    if not parameters:
        return {}
    decoded = {}
    for key, value in parameters.items():
        choice = value.WhichOneof("parameter_choice")
        if choice is not None:
            decoded[key] = getattr(value, choice)
    return decoded


def _parameter(value: Any) -> pb.InferParameter:
    """One response parameter; integers beyond int64 go in ``uint64_param``."""
    if isinstance(value, bool):
        return pb.InferParameter(bool_param=value)
    if isinstance(value, int):
        if _INT64_MAX < value <= _UINT64_MAX:
            return pb.InferParameter(uint64_param=value)
        return pb.InferParameter(int64_param=value)
    if isinstance(value, float):
        return pb.InferParameter(double_param=value)
    return pb.InferParameter(string_param=str(value))


def split_bytes(raw: bytes, name: str) -> np.ndarray:
    """Elements of a raw BYTES buffer: each a little-endian uint32 length, then the bytes."""
    items: list[bytes] = []
    position, end = 0, len(raw)
    view = memoryview(raw)
    while position < end:
        if position + 4 > end:
            raise OvmsError(StatusCode.INVALID_INPUT_FORMAT, f"input {name}")
        (length,) = _LENGTH.unpack_from(raw, position)
        position += 4
        if position + length > end:
            raise OvmsError(StatusCode.INVALID_INPUT_FORMAT, f"input {name}")
        items.append(bytes(view[position : position + length]))
        position += length
    array = np.empty(len(items), dtype=object)
    array[:] = items
    return array


def join_bytes(data: np.ndarray) -> bytes:
    """A raw BYTES buffer: every element prefixed with its little-endian uint32 length."""
    parts = []
    for value in data.reshape(-1):
        raw = value if isinstance(value, bytes) else str(value).encode()
        parts.append(_LENGTH.pack(len(raw)))
        parts.append(raw)
    return b"".join(parts)


def _raw(output: OutputTensor) -> bytes:
    if output.datatype == "BYTES":
        return join_bytes(output.data)
    return output.data.tobytes()


def encode_infer_response(result: InferResult) -> pb.ModelInferResponse:
    """The response with every output in ``raw_output_contents``, as OVMS sends it."""
    tensor = pb.ModelInferResponse.InferOutputTensor
    return pb.ModelInferResponse(
        model_name=result.model_name,
        model_version=str(result.model_version),
        id=result.id,
        outputs=[
            tensor(name=o.name, datatype=o.datatype, shape=o.data.shape) for o in result.outputs
        ],
        raw_output_contents=[_raw(o) for o in result.outputs],
        parameters={key: _parameter(value) for key, value in result.parameters.items()},
    )


def encode_model_metadata(metadata: ModelMetadata) -> pb.ModelMetadataResponse:
    """Name, available versions, platform and tensors (-1 for dynamic dimensions)."""
    tensor = pb.ModelMetadataResponse.TensorMetadata
    return pb.ModelMetadataResponse(
        name=metadata.name,
        versions=metadata.versions,
        platform=metadata.platform,
        inputs=[tensor(name=t.name, datatype=t.datatype, shape=t.shape) for t in metadata.inputs],
        outputs=[tensor(name=t.name, datatype=t.datatype, shape=t.shape) for t in metadata.outputs],
    )
