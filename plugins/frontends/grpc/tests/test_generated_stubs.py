"""The generated stubs on their own: they load, carry the wire facts and round-trip.

The expected tables below restate shared/WIRE.md in its notation, so a changed field
number, type, enum value or method path in ``protos/`` fails here.
"""

from __future__ import annotations

import importlib
import pickle
import pkgutil
import sys

import ovms_frontend_grpc._generated as generated
import pytest
from google.protobuf import any_pb2, descriptor_pb2, wrappers_pb2
from google.protobuf.descriptor import Descriptor, EnumDescriptor, FieldDescriptor, FileDescriptor
from ovms_frontend_grpc._generated.ovms import grpc_predict_v2_pb2 as kserve
from ovms_frontend_grpc._generated.tensorflow.core.framework import (
    resource_handle_pb2,
    tensor_pb2,
    tensor_shape_pb2,
    types_pb2,
)
from ovms_frontend_grpc._generated.tensorflow.core.protobuf import error_codes_pb2, meta_graph_pb2
from ovms_frontend_grpc._generated.tensorflow_serving.apis import (
    get_model_metadata_pb2,
    get_model_status_pb2,
    model_pb2,
    model_service_pb2,
    predict_pb2,
    prediction_service_pb2,
)
from ovms_frontend_grpc._generated.tensorflow_serving.util import status_pb2

PROTO_FILES: dict[str, FileDescriptor] = {
    module.DESCRIPTOR.name: module.DESCRIPTOR
    for module in (
        kserve,
        types_pb2,
        tensor_shape_pb2,
        resource_handle_pb2,
        tensor_pb2,
        error_codes_pb2,
        meta_graph_pb2,
        model_pb2,
        predict_pb2,
        get_model_metadata_pb2,
        get_model_status_pb2,
        status_pb2,
        prediction_service_pb2,
        model_service_pb2,
    )
}

KSERVE_PARAMETERS = "map<string, inference.InferParameter>"
TF_TENSOR_MAP = "map<string, tensorflow.TensorProto>"

MESSAGES: dict[str, list[str]] = {
    "inference.ServerLiveRequest": [],
    "inference.ServerLiveResponse": ["1 live: bool"],
    "inference.ServerReadyRequest": [],
    "inference.ServerReadyResponse": ["1 ready: bool"],
    "inference.ModelReadyRequest": ["1 name: string", "2 version: string"],
    "inference.ModelReadyResponse": ["1 ready: bool"],
    "inference.ServerMetadataRequest": [],
    "inference.ServerMetadataResponse": [
        "1 name: string",
        "2 version: string",
        "3 repeated extensions: string",
    ],
    "inference.ModelMetadataRequest": ["1 name: string", "2 version: string"],
    "inference.ModelMetadataResponse": [
        "1 name: string",
        "2 repeated versions: string",
        "3 platform: string",
        "4 repeated inputs: inference.ModelMetadataResponse.TensorMetadata",
        "5 repeated outputs: inference.ModelMetadataResponse.TensorMetadata",
    ],
    "inference.ModelMetadataResponse.TensorMetadata": [
        "1 name: string",
        "2 datatype: string",
        "3 repeated shape: int64",
    ],
    "inference.ModelInferRequest": [
        "1 model_name: string",
        "2 model_version: string",
        "3 id: string",
        f"4 parameters: {KSERVE_PARAMETERS}",
        "5 repeated inputs: inference.ModelInferRequest.InferInputTensor",
        "6 repeated outputs: inference.ModelInferRequest.InferRequestedOutputTensor",
        "7 repeated raw_input_contents: bytes",
    ],
    "inference.InferParameter": [
        "1 bool_param: bool (oneof parameter_choice)",
        "2 int64_param: int64 (oneof parameter_choice)",
        "3 string_param: string (oneof parameter_choice)",
        "4 double_param: double (oneof parameter_choice)",
        "5 uint64_param: uint64 (oneof parameter_choice)",
    ],
    "inference.ModelInferRequest.InferInputTensor": [
        "1 name: string",
        "2 datatype: string",
        "3 repeated shape: int64",
        f"4 parameters: {KSERVE_PARAMETERS}",
        "5 contents: inference.InferTensorContents",
    ],
    "inference.InferTensorContents": [
        "1 repeated bool_contents: bool",
        "2 repeated int_contents: int32",
        "3 repeated int64_contents: int64",
        "4 repeated uint_contents: uint32",
        "5 repeated uint64_contents: uint64",
        "6 repeated fp32_contents: float",
        "7 repeated fp64_contents: double",
        "8 repeated bytes_contents: bytes",
    ],
    "inference.ModelInferRequest.InferRequestedOutputTensor": [
        "1 name: string",
        f"2 parameters: {KSERVE_PARAMETERS}",
    ],
    "inference.ModelInferResponse": [
        "1 model_name: string",
        "2 model_version: string",
        "3 id: string",
        f"4 parameters: {KSERVE_PARAMETERS}",
        "5 repeated outputs: inference.ModelInferResponse.InferOutputTensor",
        "6 repeated raw_output_contents: bytes",
    ],
    "inference.ModelInferResponse.InferOutputTensor": [
        "1 name: string",
        "2 datatype: string",
        "3 repeated shape: int64",
        f"4 parameters: {KSERVE_PARAMETERS}",
        "5 contents: inference.InferTensorContents",
    ],
    "inference.ModelStreamInferResponse": [
        "1 error_message: string",
        "2 infer_response: inference.ModelInferResponse",
    ],
    # KServe's repository requests use field 1, tritonclient's fields 2 and 3.
    "inference.RepositoryModelLoadRequest": [
        "1 model_name: string",
        "2 triton_model_name: string",
        "3 parameters: map<string, inference.ModelRepositoryParameter>",
    ],
    "inference.RepositoryModelLoadResponse": ["1 model_name: string", "2 isLoaded: bool"],
    "inference.RepositoryModelUnloadRequest": [
        "1 model_name: string",
        "2 triton_model_name: string",
        "3 parameters: map<string, inference.ModelRepositoryParameter>",
    ],
    "inference.RepositoryModelUnloadResponse": ["1 model_name: string", "2 isUnloaded: bool"],
    "inference.ModelRepositoryParameter": [
        "1 bool_param: bool (oneof parameter_choice)",
        "2 int64_param: int64 (oneof parameter_choice)",
        "3 string_param: string (oneof parameter_choice)",
        "4 bytes_param: bytes (oneof parameter_choice)",
    ],
    # The statistics extension, with Triton's numbers (tritonclient parses them).
    "inference.ModelStatisticsRequest": ["1 name: string", "2 version: string"],
    "inference.ModelStatisticsResponse": ["1 repeated model_stats: inference.ModelStatistics"],
    "inference.ModelStatistics": [
        "1 name: string",
        "2 version: string",
        "3 last_inference: uint64",
        "4 inference_count: uint64",
        "5 execution_count: uint64",
        "6 inference_stats: inference.InferStatistics",
        "7 repeated batch_stats: inference.InferBatchStatistics",
    ],
    "inference.InferStatistics": [
        f"{number} {phase}: inference.StatisticDuration"
        for number, phase in enumerate(
            (
                "success",
                "fail",
                "queue",
                "compute_input",
                "compute_infer",
                "compute_output",
                "cache_hit",
                "cache_miss",
            ),
            1,
        )
    ],
    "inference.InferBatchStatistics": [
        "1 batch_size: uint64",
        "2 compute_input: inference.StatisticDuration",
        "3 compute_infer: inference.StatisticDuration",
        "4 compute_output: inference.StatisticDuration",
    ],
    "inference.StatisticDuration": ["1 count: uint64", "2 ns: uint64"],
    "inference.RepositoryIndexRequest": ["1 repository_name: string", "2 ready: bool"],
    "inference.RepositoryIndexResponse": [
        "1 repeated models: inference.RepositoryIndexResponse.ModelIndex"
    ],
    "inference.RepositoryIndexResponse.ModelIndex": [
        "1 name: string",
        "2 version: string",
        "3 state: string",
        "4 reason: string",
    ],
    "tensorflow.serving.PredictRequest": [
        "1 model_spec: tensorflow.serving.ModelSpec",
        f"2 inputs: {TF_TENSOR_MAP}",
        "3 repeated output_filter: string",
        "5 predict_streamed_options: tensorflow.serving.PredictStreamedOptions",
        "6 client_id: bytes",
        "7 request_options: tensorflow.serving.PredictRequest.RequestOptions",
        "reserved 4-4",
    ],
    "tensorflow.serving.ModelSpec": [
        "1 name: string",
        "2 version: google.protobuf.Int64Value (oneof version_choice)",
        "4 version_label: string (oneof version_choice)",
        "3 signature_name: string",
    ],
    "tensorflow.TensorProto": [
        "1 dtype: tensorflow.DataType",
        "2 tensor_shape: tensorflow.TensorShapeProto",
        "3 version_number: int32",
        "4 tensor_content: bytes",
        "13 repeated half_val: int32",
        "5 repeated float_val: float",
        "6 repeated double_val: double",
        "7 repeated int_val: int32",
        "8 repeated string_val: bytes",
        "9 repeated scomplex_val: float",
        "10 repeated int64_val: int64",
        "11 repeated bool_val: bool",
        "12 repeated dcomplex_val: double",
        "14 repeated resource_handle_val: tensorflow.ResourceHandleProto",
        "15 repeated variant_val: tensorflow.VariantTensorDataProto",
        "16 repeated uint32_val: uint32",
        "17 repeated uint64_val: uint64",
    ],
    "tensorflow.TensorShapeProto": [
        "2 repeated dim: tensorflow.TensorShapeProto.Dim",
        "3 unknown_rank: bool",
    ],
    "tensorflow.TensorShapeProto.Dim": ["1 size: int64", "2 name: string"],
    "tensorflow.ResourceHandleProto": [
        "1 device: string",
        "2 container: string",
        "3 name: string",
        "4 hash_code: uint64",
        "5 maybe_type_name: string",
        "6 repeated dtypes_and_shapes: tensorflow.ResourceHandleProto.DtypeAndShape",
        "reserved 7-7",
    ],
    "tensorflow.ResourceHandleProto.DtypeAndShape": [
        "1 dtype: tensorflow.DataType",
        "2 shape: tensorflow.TensorShapeProto",
    ],
    "tensorflow.VariantTensorDataProto": [
        "1 type_name: string",
        "2 metadata: bytes",
        "3 repeated tensors: tensorflow.TensorProto",
    ],
    "tensorflow.serving.PredictStreamedOptions": [
        "1 request_state: tensorflow.serving.PredictStreamedOptions.RequestState",
        "2 split_dimensions: map<string, int32>",
        "3 return_single_response: bool",
    ],
    "tensorflow.serving.PredictRequest.RequestOptions": [
        "1 client_id: bytes",
        "2 deterministic_mode: tensorflow.serving.PredictRequest.RequestOptions.DeterministicMode",
        "3 return_additional_arrays_from_prefill: bool",
        "4 repeated return_stoptokens: int64",
        "9 return_all_stoptokens: bool",
        "6 max_cache_length: int64",
    ],
    "tensorflow.serving.PredictResponse": [
        "2 model_spec: tensorflow.serving.ModelSpec",
        f"1 outputs: {TF_TENSOR_MAP}",
    ],
    "tensorflow.serving.GetModelMetadataRequest": [
        "1 model_spec: tensorflow.serving.ModelSpec",
        "2 repeated metadata_field: string",
    ],
    "tensorflow.serving.GetModelMetadataResponse": [
        "1 model_spec: tensorflow.serving.ModelSpec",
        "2 metadata: map<string, google.protobuf.Any>",
    ],
    "tensorflow.serving.GetModelStatusRequest": ["1 model_spec: tensorflow.serving.ModelSpec"],
    "tensorflow.serving.GetModelStatusResponse": [
        "1 repeated model_version_status: tensorflow.serving.ModelVersionStatus",
    ],
    "tensorflow.serving.ModelVersionStatus": [
        "1 version: int64",
        "2 state: tensorflow.serving.ModelVersionStatus.State",
        "3 status: tensorflow.serving.StatusProto",
    ],
    "tensorflow.serving.StatusProto": [
        "1 error_code: tensorflow.error.Code",
        "2 error_message: string",
    ],
    "tensorflow.serving.SignatureDefMap": [
        "1 signature_def: map<string, tensorflow.SignatureDef>",
    ],
    "tensorflow.SignatureDef": [
        "1 inputs: map<string, tensorflow.TensorInfo>",
        "2 outputs: map<string, tensorflow.TensorInfo>",
        "3 method_name: string",
    ],
    "tensorflow.TensorInfo": [
        "1 name: string (oneof encoding)",
        "4 coo_sparse: tensorflow.TensorInfo.CooSparse (oneof encoding)",
        "5 composite_tensor: tensorflow.TensorInfo.CompositeTensor (oneof encoding)",
        "2 dtype: tensorflow.DataType",
        "3 tensor_shape: tensorflow.TensorShapeProto",
    ],
    # WIRE.md gives no fields for these two; see protos/tensorflow/core/protobuf/meta_graph.proto.
    "tensorflow.TensorInfo.CooSparse": [],
    "tensorflow.TensorInfo.CompositeTensor": [],
}

ENUMS: dict[str, str] = {
    "tensorflow.DataType": (
        "DT_INVALID=0, DT_FLOAT=1, DT_DOUBLE=2, DT_INT32=3, DT_UINT8=4, DT_INT16=5, DT_INT8=6, "
        "DT_STRING=7, DT_COMPLEX64=8, DT_INT64=9, DT_BOOL=10, DT_QINT8=11, DT_QUINT8=12, "
        "DT_QINT32=13, DT_BFLOAT16=14, DT_QINT16=15, DT_QUINT16=16, DT_UINT16=17, "
        "DT_COMPLEX128=18, DT_HALF=19, DT_RESOURCE=20, DT_VARIANT=21, DT_UINT32=22, DT_UINT64=23"
    ),
    "tensorflow.serving.PredictStreamedOptions.RequestState": (
        "NONE=0, SPLIT=1, END_SPLIT=2, CANCEL=3"
    ),
    "tensorflow.serving.PredictRequest.RequestOptions.DeterministicMode": (
        "DETERMINISTIC_MODE_UNSPECIFIED=0, FIXED_DECODER_SLOT=1"
    ),
    "tensorflow.serving.ModelVersionStatus.State": (
        "UNKNOWN=0, START=10, LOADING=20, AVAILABLE=30, UNLOADING=40, END=50"
    ),
    "tensorflow.error.Code": (
        "OK=0, CANCELLED=1, UNKNOWN=2, INVALID_ARGUMENT=3, DEADLINE_EXCEEDED=4, NOT_FOUND=5, "
        "ALREADY_EXISTS=6, PERMISSION_DENIED=7, UNAUTHENTICATED=16, RESOURCE_EXHAUSTED=8, "
        "FAILED_PRECONDITION=9, ABORTED=10, OUT_OF_RANGE=11, UNIMPLEMENTED=12, INTERNAL=13, "
        "UNAVAILABLE=14, DATA_LOSS=15, "
        "DO_NOT_USE_RESERVED_FOR_FUTURE_EXPANSION_USE_DEFAULT_IN_SWITCH_INSTEAD_=20"
    ),
}

KSERVE_RPCS = [
    ("ServerLive", "ServerLiveRequest", "ServerLiveResponse"),
    ("ServerReady", "ServerReadyRequest", "ServerReadyResponse"),
    ("ModelReady", "ModelReadyRequest", "ModelReadyResponse"),
    ("ServerMetadata", "ServerMetadataRequest", "ServerMetadataResponse"),
    ("ModelMetadata", "ModelMetadataRequest", "ModelMetadataResponse"),
    ("ModelInfer", "ModelInferRequest", "ModelInferResponse"),
    ("ModelStreamInfer", "stream ModelInferRequest", "stream ModelStreamInferResponse"),
    ("RepositoryModelLoad", "RepositoryModelLoadRequest", "RepositoryModelLoadResponse"),
    ("RepositoryModelUnload", "RepositoryModelUnloadRequest", "RepositoryModelUnloadResponse"),
    ("ModelStatistics", "ModelStatisticsRequest", "ModelStatisticsResponse"),
    ("RepositoryIndex", "RepositoryIndexRequest", "RepositoryIndexResponse"),
]
SERVICES: dict[str, list[str]] = {
    "ovms/grpc_predict_v2.proto": [
        f"/inference.GRPCInferenceService/{name}: {request} -> {response}"
        for name, request, response in KSERVE_RPCS
    ],
    "tensorflow_serving/apis/prediction_service.proto": [
        "/tensorflow.serving.PredictionService/Predict: PredictRequest -> PredictResponse",
        "/tensorflow.serving.PredictionService/GetModelMetadata: "
        "GetModelMetadataRequest -> GetModelMetadataResponse",
    ],
    "tensorflow_serving/apis/model_service.proto": [
        "/tensorflow.serving.ModelService/GetModelStatus: "
        "GetModelStatusRequest -> GetModelStatusResponse",
    ],
}

SCALAR_TYPES = {
    FieldDescriptor.TYPE_BOOL: "bool",
    FieldDescriptor.TYPE_INT32: "int32",
    FieldDescriptor.TYPE_INT64: "int64",
    FieldDescriptor.TYPE_UINT32: "uint32",
    FieldDescriptor.TYPE_UINT64: "uint64",
    FieldDescriptor.TYPE_FLOAT: "float",
    FieldDescriptor.TYPE_DOUBLE: "double",
    FieldDescriptor.TYPE_STRING: "string",
    FieldDescriptor.TYPE_BYTES: "bytes",
}


def is_map(field: FieldDescriptor) -> bool:
    """Tell whether a field is a protobuf map."""
    return field.message_type is not None and field.message_type.GetOptions().map_entry


def type_name(field: FieldDescriptor) -> str:
    """Name a field's type as WIRE.md does."""
    message = field.message_type
    if message is not None and message.GetOptions().map_entry:
        key, value = message.fields_by_name["key"], message.fields_by_name["value"]
        return f"map<{type_name(key)}, {type_name(value)}>"
    if message is not None:
        return str(message.full_name)
    if field.enum_type is not None:
        return str(field.enum_type.full_name)
    return SCALAR_TYPES[field.type]


def describe_message(message: Descriptor) -> list[str]:
    """Describe a message's fields and reserved ranges in WIRE.md's notation."""
    lines = []
    for field in message.fields:
        repeated = "repeated " if field.is_repeated and not is_map(field) else ""
        oneof = field.containing_oneof
        suffix = f" (oneof {oneof.name})" if oneof is not None else ""
        lines.append(f"{field.number} {repeated}{field.name}: {type_name(field)}{suffix}")
    proto = descriptor_pb2.DescriptorProto()
    message.CopyToProto(proto)
    lines += [f"reserved {r.start}-{r.end - 1}" for r in proto.reserved_range]
    return lines


def nested(messages: list[Descriptor]) -> list[Descriptor]:
    """List messages with all their nested messages, map entries excluded."""
    found = []
    for message in messages:
        if not message.GetOptions().map_entry:
            found += [message, *nested(list(message.nested_types))]
    return found


def all_messages() -> dict[str, Descriptor]:
    """Map the full name of every message our proto files define to its descriptor."""
    tops = [m for f in PROTO_FILES.values() for m in f.message_types_by_name.values()]
    return {m.full_name: m for m in nested(tops)}


def all_enums() -> dict[str, EnumDescriptor]:
    """Map the full name of every enum our proto files define to its descriptor."""
    enums = [e for f in PROTO_FILES.values() for e in f.enum_types_by_name.values()]
    enums += [e for m in all_messages().values() for e in m.enum_types]
    return {e.full_name: e for e in enums}


def test_every_generated_module_imports_inside_the_package() -> None:
    prefix = f"{generated.__name__}."
    names = [m.name for m in pkgutil.walk_packages(generated.__path__, prefix)]
    for name in names:
        importlib.import_module(name)
    assert sum(name.endswith("_pb2") for name in names) == len(PROTO_FILES)
    assert sorted(name for name in names if name.endswith("_pb2_grpc")) == [
        f"{prefix}ovms.grpc_predict_v2_pb2_grpc",
        f"{prefix}tensorflow_serving.apis.model_service_pb2_grpc",
        f"{prefix}tensorflow_serving.apis.prediction_service_pb2_grpc",
    ]
    top_level = {name.partition(".")[0] for name in sys.modules}
    assert not top_level & {"ovms", "tensorflow", "tensorflow_serving", "inference"}
    assert predict_pb2.PredictRequest.__module__ == f"{prefix}tensorflow_serving.apis.predict_pb2"


def test_message_set_matches_wire_facts() -> None:
    assert sorted(all_messages()) == sorted(MESSAGES)
    assert sorted(all_enums()) == sorted(ENUMS)


@pytest.mark.parametrize("full_name", sorted(MESSAGES))
def test_message_fields_match_wire_facts(full_name: str) -> None:
    assert sorted(describe_message(all_messages()[full_name])) == sorted(MESSAGES[full_name])


@pytest.mark.parametrize("full_name", sorted(ENUMS))
def test_enum_values_match_wire_facts(full_name: str) -> None:
    values = ", ".join(f"{v.name}={v.number}" for v in all_enums()[full_name].values)
    assert values == ENUMS[full_name]


@pytest.mark.parametrize("file_name", sorted(SERVICES))
def test_service_methods_match_wire_facts(file_name: str) -> None:
    (service,) = PROTO_FILES[file_name].services_by_name.values()
    methods = []
    for method in service.methods:
        request = ("stream " if method.client_streaming else "") + method.input_type.name
        response = ("stream " if method.server_streaming else "") + method.output_type.name
        methods.append(f"/{service.full_name}/{method.name}: {request} -> {response}")
    assert methods == SERVICES[file_name]


def test_model_infer_request_round_trip() -> None:
    request = kserve.ModelInferRequest(model_name="resnet", model_version="2", id="r-1")
    request.parameters["binary_data_output"].bool_param = True
    request.parameters["sequence_id"].int64_param = -7
    request.parameters["name"].string_param = "x"
    request.parameters["scale"].double_param = 0.25
    request.parameters["sequence_id_u"].uint64_param = 2**64 - 1
    tensor = request.inputs.add(name="in", datatype="FP32", shape=[1, 2])
    tensor.contents.fp32_contents.extend([1.5, -2.0])
    request.inputs.add(name="raw", datatype="UINT8", shape=[3])
    request.outputs.add(name="out").parameters["binary_data"].bool_param = True
    request.raw_input_contents.append(b"\x01\x02\x03")

    parsed = kserve.ModelInferRequest.FromString(request.SerializeToString())

    assert parsed == request
    assert parsed.parameters["scale"].WhichOneof("parameter_choice") == "double_param"
    assert parsed.parameters["sequence_id_u"].uint64_param == 2**64 - 1
    assert list(parsed.inputs[0].contents.fp32_contents) == [1.5, -2.0]
    assert pickle.loads(pickle.dumps(parsed)) == request


def test_predict_request_with_tensor_round_trip() -> None:
    shape = tensor_shape_pb2.TensorShapeProto(dim=[{"size": 2}, {"size": 3, "name": "w"}])
    tensor = tensor_pb2.TensorProto(
        dtype=types_pb2.DT_FLOAT, tensor_shape=shape, tensor_content=bytes(range(24))
    )
    request = predict_pb2.PredictRequest(
        model_spec=model_pb2.ModelSpec(
            name="resnet", version=wrappers_pb2.Int64Value(value=3), signature_name="serving"
        ),
        output_filter=["prob"],
    )
    request.inputs["images"].CopyFrom(tensor)
    request.inputs["names"].string_val.extend([b"a", b"\xff"])

    parsed = predict_pb2.PredictRequest.FromString(request.SerializeToString())

    assert parsed == request
    assert parsed.model_spec.WhichOneof("version_choice") == "version"
    assert parsed.inputs["images"].tensor_shape.dim[1].name == "w"
    assert parsed.inputs["images"].dtype == types_pb2.DT_FLOAT


def test_model_metadata_response_packs_signature_def_map() -> None:
    info = meta_graph_pb2.TensorInfo(
        name="images", dtype=types_pb2.DT_FLOAT, tensor_shape={"dim": [{"size": -1}]}
    )
    signature = meta_graph_pb2.SignatureDef(
        inputs={"images": info}, method_name="tensorflow/serving/predict"
    )
    signature_map = get_model_metadata_pb2.SignatureDefMap(
        signature_def={"serving_default": signature}
    )
    response = get_model_metadata_pb2.GetModelMetadataResponse(
        model_spec=model_pb2.ModelSpec(name="resnet", version={"value": 1})
    )
    response.metadata["signature_def"].Pack(signature_map)

    parsed = get_model_metadata_pb2.GetModelMetadataResponse.FromString(
        response.SerializeToString()
    )

    packed: any_pb2.Any = parsed.metadata["signature_def"]
    assert packed.type_url == "type.googleapis.com/tensorflow.serving.SignatureDefMap"
    unpacked = get_model_metadata_pb2.SignatureDefMap()
    assert packed.Unpack(unpacked)
    assert unpacked == signature_map
    assert unpacked.signature_def["serving_default"].inputs["images"].tensor_shape.dim[0].size == -1


def test_model_status_response_round_trip() -> None:
    status = get_model_status_pb2.ModelVersionStatus(
        version=2,
        state=get_model_status_pb2.ModelVersionStatus.AVAILABLE,
        status=status_pb2.StatusProto(error_code=error_codes_pb2.NOT_FOUND, error_message="x"),
    )
    response = get_model_status_pb2.GetModelStatusResponse(model_version_status=[status])

    parsed = get_model_status_pb2.GetModelStatusResponse.FromString(response.SerializeToString())

    assert parsed == response
    assert parsed.model_version_status[0].state == 30
    assert parsed.model_version_status[0].status.error_code == 5
