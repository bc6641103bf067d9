"""TensorFlow Serving messages to and from the dataplane's neutral types.

``tensor_content`` becomes a numpy view and numeric outputs go back in ``tensor_content``;
typed ``*_val`` fields are read with ``np.fromiter``. FP16 outputs use ``half_val`` and strings
``string_val``, as OVMS writes them. ``string_val`` inputs (strings, encoded images) become BYTES.

Stateful models: the special inputs ``sequence_id`` (``uint64_val``) and
``sequence_control_input`` (``uint32_val``) are ordinary inputs to the dataplane, passed on as
received (the kernel answers wrong fields and types with the OVMS errors); the response adds the
sequence id as the output ``sequence_id`` (DT_UINT64, shape ``[1]``, in ``uint64_val``).
"""

from __future__ import annotations

from collections.abc import Iterable

import numpy as np

from ovms_core import (
    Datatype,
    InferInput,
    InferRequest,
    InferResult,
    ModelMetadata,
    OvmsError,
    StatusCode,
    TensorMetadata,
    VersionStatus,
    by_kserve_name,
    by_tfs_number,
)
from ovms_frontend_grpc._generated.tensorflow.core.framework import tensor_pb2, types_pb2
from ovms_frontend_grpc._generated.tensorflow.core.protobuf import meta_graph_pb2
from ovms_frontend_grpc._generated.tensorflow_serving.apis import (
    get_model_metadata_pb2,
    get_model_status_pb2,
    model_pb2,
    predict_pb2,
)
from ovms_frontend_grpc._generated.tensorflow_serving.util import status_pb2

__all__ = [
    "SIGNATURE_DEF",
    "SIGNATURE_NAME",
    "decode_predict_request",
    "encode_model_metadata",
    "encode_model_status",
    "encode_predict_response",
    "requested_version",
]

SEQUENCE_ID = "sequence_id"
"""The stateful-model special input, and the result parameter and output with the id."""
SIGNATURE_DEF = "signature_def"
SIGNATURE_NAME = "serving_default"

# DataType -> (TensorProto field, dtype of that field's elements)
_TYPED_FIELDS: dict[int, tuple[str, type[np.generic]]] = {
    types_pb2.DT_FLOAT: ("float_val", np.float32),
    types_pb2.DT_DOUBLE: ("double_val", np.float64),
    types_pb2.DT_INT8: ("int_val", np.int32),
    types_pb2.DT_INT16: ("int_val", np.int32),
    types_pb2.DT_INT32: ("int_val", np.int32),
    types_pb2.DT_UINT8: ("int_val", np.int32),
    types_pb2.DT_UINT16: ("int_val", np.int32),
    types_pb2.DT_INT64: ("int64_val", np.int64),
    types_pb2.DT_UINT32: ("uint32_val", np.uint32),
    types_pb2.DT_UINT64: ("uint64_val", np.uint64),
    types_pb2.DT_BOOL: ("bool_val", np.bool_),
}
_HALF_TYPES = (types_pb2.DT_HALF, types_pb2.DT_BFLOAT16)


def requested_version(spec: model_pb2.ModelSpec) -> int | None:
    """The version a ``ModelSpec`` asks for; absent or 0 means the default version."""
    if not spec.HasField("version"):
        return None
    value = spec.version.value
    if value < 0:
        raise OvmsError(StatusCode.MODEL_VERSION_MISSING)
    return value


def _type_name(number: int) -> str:
    try:
        return types_pb2.DataType.Name(number)
    except ValueError:
        return str(number)


def decode_predict_request(message: predict_pb2.PredictRequest) -> InferRequest:
    """The neutral request; ``tensor_content`` is viewed, not copied."""
    if not message.HasField("model_spec"):
        raise OvmsError(StatusCode.MODEL_SPEC_MISSING)
    spec = message.model_spec
    inputs = []
    for name, tensor in message.inputs.items():
        number = tensor.dtype
        label = _type_name(number)
        datatype = by_tfs_number(number)
        shape = [dim.size for dim in tensor.tensor_shape.dim]
        kserve = datatype.kserve if datatype is not None else label
        if number == types_pb2.DT_STRING:
            item = InferInput(name, kserve, shape, values=_strings(tensor.string_val), label=label)
        elif tensor.tensor_content or datatype is None:
            item = InferInput(name, kserve, shape, raw=tensor.tensor_content, label=label)
        else:
            values = _typed_values(tensor, number, datatype)
            if values is None:  # no data anywhere: the size check names the bytes expected
                item = InferInput(name, kserve, shape, raw=b"", label=label)
            else:
                item = InferInput(name, kserve, shape, values=values, label=label)
        inputs.append(item)
    return InferRequest(
        model_name=spec.name,
        model_version=requested_version(spec),
        inputs=inputs,
        input_name_prefix="input name: ",
        unknown_name_code=StatusCode.PIPELINE_DEFINITION_NAME_MISSING,
        ovms_precision_names=True,
    )


def _strings(items: Iterable[bytes]) -> np.ndarray:
    values = list(items)
    array = np.empty(len(values), dtype=object)
    array[:] = values
    return array


def _typed_values(
    tensor: tensor_pb2.TensorProto, number: int, datatype: Datatype
) -> np.ndarray | None:
    if number in _HALF_TYPES:
        half = tensor.half_val
        if not half:
            return None
        bits = np.fromiter(half, dtype=np.int32, count=len(half)).astype(np.uint16)
        return bits.view(datatype.numpy)
    spec = _TYPED_FIELDS.get(number)
    if spec is None:
        return None
    field = getattr(tensor, spec[0])
    if not field:
        return None
    return np.fromiter(field, dtype=spec[1], count=len(field))


def encode_predict_response(result: InferResult) -> predict_pb2.PredictResponse:
    """Every output by name; ``model_spec`` stays empty, as in OVMS."""
    response = predict_pb2.PredictResponse()
    for output in result.outputs:
        tensor = response.outputs[output.name]
        datatype = by_kserve_name(output.datatype)
        assert datatype is not None  # outputs carry the model's own datatypes
        data = output.data
        tensor.dtype = datatype.tfs_number  # type: ignore[assignment]
        dims = tensor.tensor_shape.dim
        for size in data.shape:
            dims.add(size=size)
        if datatype.tfs_number == types_pb2.DT_STRING:
            tensor.string_val.extend(_as_bytes(v) for v in data.reshape(-1))
        elif datatype.tfs_number in _HALF_TYPES:
            tensor.half_val.extend(np.ascontiguousarray(data).view(np.uint16).reshape(-1))
        else:
            tensor.tensor_content = data.tobytes()
    sequence_id = result.parameters.get(SEQUENCE_ID)
    if sequence_id is not None:
        tensor = response.outputs[SEQUENCE_ID]
        tensor.dtype = types_pb2.DT_UINT64
        tensor.tensor_shape.dim.add(size=1)
        tensor.uint64_val.append(sequence_id)
    return response


def _as_bytes(value: object) -> bytes:
    return value if isinstance(value, bytes) else str(value).encode()


def _tensor_info(tensor: TensorMetadata) -> meta_graph_pb2.TensorInfo:
    datatype = by_kserve_name(tensor.datatype)
    info = meta_graph_pb2.TensorInfo(
        name=tensor.name,
        dtype=datatype.tfs_number if datatype is not None else types_pb2.DT_INVALID,  # type: ignore[arg-type]
    )
    for size in tensor.shape:
        info.tensor_shape.dim.add(size=size)
    return info


def encode_model_metadata(
    metadata: ModelMetadata,
) -> get_model_metadata_pb2.GetModelMetadataResponse:
    """``signature_def``: a ``SignatureDefMap`` with one ``serving_default``, packed in ``Any``."""
    signature = meta_graph_pb2.SignatureDef()
    for tensor in metadata.inputs:
        signature.inputs[tensor.name].CopyFrom(_tensor_info(tensor))
    for tensor in metadata.outputs:
        signature.outputs[tensor.name].CopyFrom(_tensor_info(tensor))
    signatures = get_model_metadata_pb2.SignatureDefMap()
    signatures.signature_def[SIGNATURE_NAME].CopyFrom(signature)
    response = get_model_metadata_pb2.GetModelMetadataResponse()
    response.model_spec.name = metadata.name
    response.model_spec.version.value = metadata.version
    response.metadata[SIGNATURE_DEF].Pack(signatures)
    return response


def encode_model_status(
    statuses: list[VersionStatus],
) -> get_model_status_pb2.GetModelStatusResponse:
    """One ``ModelVersionStatus`` per version; the message repeats the error code's name."""
    return get_model_status_pb2.GetModelStatusResponse(
        model_version_status=[
            get_model_status_pb2.ModelVersionStatus(
                version=status.version,
                state=status.state,  # enum values by name: START, LOADING, AVAILABLE...
                status=status_pb2.StatusProto(
                    error_code=status.error_code, error_message=status.error_message
                ),
            )
            for status in statuses
        ]
    )
