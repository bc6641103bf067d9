"""KServe v2 REST bodies: JSON tensors and the binary-data extension, to and from numpy."""

from __future__ import annotations

import base64
import binascii
import struct
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import orjson

from ovms_core import InferInput, InferRequest, InferResult, OvmsError, StatusCode, by_kserve_name

__all__ = ["DecodedRequest", "decode_infer_request", "encode_infer_result", "split_bytes"]

_JSON_KINDS = {
    "BOOL": "b",
    "UINT8": "iu",
    "UINT16": "iu",
    "UINT32": "iu",
    "UINT64": "iu",
    "INT8": "iu",
    "INT16": "iu",
    "INT32": "iu",
    "INT64": "iu",
    "FP32": "iuf",
    "FP64": "iuf",
}


@dataclass(slots=True)
class DecodedRequest:
    """The neutral request plus how the client wants each output encoded."""

    request: InferRequest
    binary_outputs: dict[str, bool] = field(default_factory=dict)
    binary_default: bool = False


def _parse_error(code: StatusCode, details: str = "") -> OvmsError:
    return OvmsError(code, details)


def header_length(value: str | None, body_length: int) -> int | None:
    """The JSON part's length from ``Inference-Header-Content-Length`` (None: whole body)."""
    if value is None:
        return None
    try:
        length = int(value)
    except ValueError:
        raise _parse_error(StatusCode.REST_INFERENCE_HEADER_CONTENT_LENGTH_INVALID) from None
    if length < 0:
        raise _parse_error(StatusCode.REST_INFERENCE_HEADER_CONTENT_LENGTH_INVALID)
    if length > body_length:
        raise _parse_error(StatusCode.REST_INFERENCE_HEADER_CONTENT_LENGTH_EXCEEDED)
    return length


def decode_infer_request(
    body: bytes | bytearray,
    json_length: int | None,
    model_name: str,
    version: int | None,
    parsed: Any = None,
) -> DecodedRequest:
    """Parse an infer body; binary inputs become views of ``body``.

    ``parsed`` is the JSON part already parsed (``JsonOffload``), numeric data as arrays.
    """
    view = memoryview(body)
    head = view if json_length is None else view[:json_length]
    if parsed is not None:
        document = parsed
    else:
        try:
            document = orjson.loads(head)
        except orjson.JSONDecodeError as error:
            raise OvmsError(StatusCode.JSON_INVALID, str(error)) from None
    if not isinstance(document, dict):
        raise _parse_error(StatusCode.REST_BODY_IS_NOT_AN_OBJECT)
    request_id = document.get("id", "")
    if not isinstance(request_id, str):
        raise _parse_error(StatusCode.REST_COULD_NOT_PARSE_INPUT, "id must be a string")
    parameters = _parameters(document.get("parameters"))
    raw_inputs = document.get("inputs")
    if not isinstance(raw_inputs, list) or not raw_inputs:
        raise _parse_error(StatusCode.REST_NO_INPUTS_FOUND)
    offset = len(head)
    inputs = []
    single = len(raw_inputs) == 1
    for raw in raw_inputs:
        item, offset = _decode_input(raw, view, offset, single)
        inputs.append(item)
    decoded = DecodedRequest(
        InferRequest(
            model_name=model_name,
            model_version=version,
            inputs=inputs,
            id=request_id,
            parameters=parameters,
            input_name_prefix="input name: input name: ",
            unknown_name_code=StatusCode.MEDIAPIPE_DEFINITION_NAME_MISSING,
        ),
        binary_default=parameters.get("binary_data_output") is True,
    )
    _decode_outputs(document.get("outputs"), decoded)
    return decoded


def _parameters(raw: Any) -> dict[str, Any]:
    if raw is None:
        return {}
    if not isinstance(raw, dict) or not all(
        isinstance(v, str | bool | int | float) for v in raw.values()
    ):
        raise _parse_error(StatusCode.REST_COULD_NOT_PARSE_PARAMETERS)
    return raw


def _decode_input(raw: Any, body: memoryview, offset: int, single: bool) -> tuple[InferInput, int]:
    if not isinstance(raw, dict):
        raise _parse_error(StatusCode.REST_COULD_NOT_PARSE_INPUT)
    name, shape, datatype = raw.get("name"), raw.get("shape"), raw.get("datatype")
    if (
        not isinstance(name, str)
        or not isinstance(datatype, str)
        or not isinstance(shape, list)
        or not all(isinstance(d, int) and not isinstance(d, bool) and d >= 0 for d in shape)
    ):
        raise _parse_error(StatusCode.REST_COULD_NOT_PARSE_INPUT)
    parameters = _parameters(raw.get("parameters"))
    dtype = by_kserve_name(datatype)
    if dtype is None:
        raise _parse_error(StatusCode.REST_UNSUPPORTED_PRECISION, f"datatype {datatype}")
    size_param = parameters.get("binary_data_size")
    if "data" in raw:
        if size_param is not None:
            raise _parse_error(StatusCode.REST_CONTENTS_FIELD_NOT_EMPTY, f"input {name}")
        return InferInput(name, datatype, shape, values=_values(raw["data"], datatype)), offset
    if size_param is not None:
        if not isinstance(size_param, int) or isinstance(size_param, bool) or size_param < 0:
            raise _parse_error(StatusCode.REST_BINARY_DATA_SIZE_PARAMETER_INVALID)
        size = size_param
    elif datatype == "BYTES":
        if not (single and shape == [1]):
            raise _parse_error(
                StatusCode.REST_BINARY_DATA_SIZE_PARAMETER_INVALID,
                f"binary_data_size is required for BYTES input {name}",
            )
        size = len(body) - offset
    else:
        count = 1
        for dim in shape:
            count *= dim
        size = count * dtype.itemsize
    end = offset + size
    if end > len(body):
        raise _parse_error(StatusCode.REST_BINARY_BUFFER_EXCEEDED, f"input {name}")
    chunk = body[offset:end]
    if datatype == "BYTES":
        return InferInput(name, datatype, shape, values=split_bytes(chunk, name)), end
    return InferInput(name, datatype, shape, raw=chunk), end


def split_bytes(chunk: memoryview, name: str) -> np.ndarray:
    """Elements of a BYTES buffer: each is a little-endian uint32 length, then the bytes."""
    items: list[bytes] = []
    position, end = 0, len(chunk)
    while position < end:
        if position + 4 > end:
            raise OvmsError(StatusCode.INVALID_INPUT_FORMAT, f"input {name}")
        (length,) = struct.unpack_from("<I", chunk, position)
        position += 4
        if position + length > end:
            raise OvmsError(StatusCode.INVALID_INPUT_FORMAT, f"input {name}")
        items.append(bytes(chunk[position : position + length]))
        position += length
    array = np.empty(len(items), dtype=object)
    array[:] = items
    return array


def _values(data: Any, datatype: str) -> np.ndarray:
    if datatype == "BYTES":
        flat = _flatten(data)
        array = np.empty(len(flat), dtype=object)
        array[:] = [_bytes_element(v) for v in flat]
        return array
    kinds = _JSON_KINDS.get(datatype)
    if kinds is None:  # FP16 and BF16 travel only in binary form
        raise _parse_error(
            StatusCode.REST_COULD_NOT_PARSE_INPUT, f"{datatype} data must use binary form"
        )
    try:
        array = np.asarray(data)
    except ValueError:
        raise _parse_error(StatusCode.REST_COULD_NOT_PARSE_INPUT, "ragged data") from None
    if datatype == "UINT64" and array.dtype.kind == "f":
        array = _uint64_values(data, array)
    if array.dtype.kind not in kinds and array.size:
        raise _parse_error(
            StatusCode.REST_COULD_NOT_PARSE_INPUT, f"values are not valid {datatype} values"
        )
    dtype = by_kserve_name(datatype)
    assert dtype is not None
    if array.size and array.dtype.kind in "iu" and np.issubdtype(dtype.numpy, np.integer):
        limits = np.iinfo(dtype.numpy)
        if array.min() < limits.min or array.max() > limits.max:
            raise _parse_error(
                StatusCode.REST_COULD_NOT_PARSE_INPUT, f"value out of range for {datatype}"
            )
    return array.astype(dtype.numpy, copy=False).reshape(-1)


def _uint64_values(data: Any, array: np.ndarray) -> np.ndarray:
    """Integers above 2**63 mixed with others, which numpy reads as float64, read exactly."""
    flat = _flatten(data)
    if not all(isinstance(v, int) and not isinstance(v, bool) for v in flat):
        return array
    try:
        return np.array(flat, dtype=np.uint64)
    except OverflowError:
        raise _parse_error(
            StatusCode.REST_COULD_NOT_PARSE_INPUT, "value out of range for UINT64"
        ) from None


def _bytes_element(value: Any) -> bytes:
    """A BYTES element: a string (sent as UTF-8) or ``{"b64": "<base64>"}`` for binary data."""
    if isinstance(value, str):
        return value.encode()
    if isinstance(value, dict) and len(value) == 1 and isinstance(value.get("b64"), str):
        try:
            return base64.b64decode(value["b64"], validate=True)
        except binascii.Error:
            raise _parse_error(StatusCode.REST_BASE64_DECODE_ERROR) from None
    raise _parse_error(
        StatusCode.REST_COULD_NOT_PARSE_INPUT, 'BYTES data must be strings or {"b64": ...}'
    )


def _flatten(data: Any) -> list[Any]:
    if not isinstance(data, list):
        return [data]
    flat: list[Any] = []
    for item in data:
        flat.extend(_flatten(item) if isinstance(item, list) else [item])
    return flat


def _decode_outputs(raw: Any, decoded: DecodedRequest) -> None:
    if raw is None:
        return
    if not isinstance(raw, list):
        raise _parse_error(StatusCode.REST_COULD_NOT_PARSE_OUTPUT)
    names = []
    for item in raw:
        if not isinstance(item, dict) or not isinstance(item.get("name"), str):
            raise _parse_error(StatusCode.REST_COULD_NOT_PARSE_OUTPUT)
        parameters = _parameters(item.get("parameters"))
        names.append(item["name"])
        flag = parameters.get("binary_data")
        if isinstance(flag, bool):
            decoded.binary_outputs[item["name"]] = flag
    decoded.request.outputs = names or None


def encode_infer_result(result: InferResult, decoded: DecodedRequest) -> tuple[bytes, int | None]:
    """The response body and, when binary outputs follow, the JSON part's length."""
    outputs = []
    tails: list[bytes] = []
    for output in result.outputs:
        entry: dict[str, Any] = {
            "name": output.name,
            "shape": list(output.data.shape),
            "datatype": output.datatype,
        }
        binary = decoded.binary_outputs.get(output.name, decoded.binary_default)
        if binary:
            blob = _binary(output.data, output.datatype)
            entry["parameters"] = {"binary_data_size": len(blob)}
            tails.append(blob)
        elif output.datatype == "BYTES":
            entry["data"] = [_text(v) for v in output.data.reshape(-1)]
        elif output.datatype == "FP16":
            entry["data"] = output.data.reshape(-1).astype(np.float32)
        elif output.datatype == "BF16":
            entry["data"] = bf16_to_float32(output.data.reshape(-1))
        else:
            entry["data"] = output.data.reshape(-1)
        outputs.append(entry)
    document: dict[str, Any] = {"model_name": result.model_name}
    if result.id:
        document["id"] = result.id
    document["model_version"] = str(result.model_version)
    if result.parameters:
        document["parameters"] = result.parameters
    document["outputs"] = outputs
    head = orjson.dumps(document, option=orjson.OPT_SERIALIZE_NUMPY)
    if not tails:
        return head, None
    return b"".join([head, *tails]), len(head)


def bf16_to_float32(words: np.ndarray) -> np.ndarray:
    """Values of bfloat16 data held as 16-bit words (any 2-byte dtype): float32 top halves."""
    return (words.view(np.uint16).astype(np.uint32) << 16).view(np.float32)


def _binary(data: np.ndarray, datatype: str) -> bytes:
    if datatype != "BYTES":
        return np.ascontiguousarray(data).tobytes()
    parts = []
    for value in data.reshape(-1):
        raw = value if isinstance(value, bytes) else str(value).encode()
        parts.append(struct.pack("<I", len(raw)))
        parts.append(raw)
    return b"".join(parts)


def _text(value: Any) -> str:
    return value.decode("utf-8", errors="replace") if isinstance(value, bytes) else str(value)
