"""Wire messages to the dataplane's neutral types and back, without a server."""

import struct

import numpy as np
import pytest
from ovms_frontend_grpc._generated.ovms import grpc_predict_v2_pb2 as pb
from ovms_frontend_grpc._generated.tensorflow.core.framework import types_pb2
from ovms_frontend_grpc._generated.tensorflow_serving.apis import (
    get_model_metadata_pb2,
    get_model_status_pb2,
    predict_pb2,
)
from ovms_frontend_grpc.kserve_codec import (
    decode_infer_request,
    encode_infer_response,
    encode_model_metadata,
    join_bytes,
    parse_version,
    split_bytes,
)
from ovms_frontend_grpc.tfs_codec import (
    decode_predict_request,
    encode_model_status,
    encode_predict_response,
)
from ovms_frontend_grpc.tfs_codec import (
    encode_model_metadata as encode_tfs_metadata,
)

from ovms_core import (
    InferResult,
    ModelMetadata,
    OutputTensor,
    OvmsError,
    StatusCode,
    TensorMetadata,
    VersionStatus,
)


def _result(*outputs, version=3):
    return InferResult("m", version, "id-7", list(outputs), lambda: None)


# KServe ------------------------------------------------------------------------------------


def test_raw_contents_become_views_with_kserve_conventions():
    data = np.arange(6, dtype=np.float32)
    message = pb.ModelInferRequest(model_name="m", model_version="2", id="x")
    message.inputs.add(name="in", datatype="FP32", shape=[2, 3])
    message.raw_input_contents.append(data.tobytes())
    request = decode_infer_request(message)
    [item] = request.inputs
    assert (item.name, item.datatype, item.shape) == ("in", "FP32", [2, 3])
    assert bytes(item.raw) == data.tobytes()
    assert item.values is None
    assert (request.model_name, request.model_version, request.id) == ("m", 2, "x")
    assert request.input_name_prefix == "input name: input name: "
    assert request.unknown_name_code is StatusCode.MEDIAPIPE_DEFINITION_NAME_MISSING
    assert request.outputs is None  # requested outputs do not filter, as in OVMS


@pytest.mark.parametrize(
    ("datatype", "field", "values", "dtype"),
    [
        ("FP32", "fp32_contents", [1.5, -2.0], np.float32),
        ("FP64", "fp64_contents", [1.5, -2.0], np.float64),
        ("INT8", "int_contents", [-3, 4], np.int32),
        ("INT64", "int64_contents", [2**40, -1], np.int64),
        ("UINT16", "uint_contents", [7, 65535], np.uint32),
        ("UINT64", "uint64_contents", [2**63, 1], np.uint64),
        ("BOOL", "bool_contents", [True, False], np.bool_),
    ],
)
def test_typed_contents(datatype, field, values, dtype):
    message = pb.ModelInferRequest(model_name="m")
    tensor = message.inputs.add(name="in", datatype=datatype, shape=[2])
    getattr(tensor.contents, field).extend(values)
    [item] = decode_infer_request(message).inputs
    assert item.values.dtype == dtype
    np.testing.assert_array_equal(item.values, np.array(values, dtype))


@pytest.mark.parametrize(
    ("datatype", "field", "value"),
    [
        ("INT8", "int_contents", 128),
        ("INT8", "int_contents", -129),
        ("INT16", "int_contents", 2**15),
        ("UINT8", "uint_contents", 256),
        ("UINT16", "uint_contents", 2**16),
    ],
)
def test_typed_contents_out_of_range_are_refused(datatype, field, value):
    message = pb.ModelInferRequest(model_name="m")
    tensor = message.inputs.add(name="in", datatype=datatype, shape=[2])
    getattr(tensor.contents, field).extend([0, value])
    with pytest.raises(OvmsError) as caught:
        decode_infer_request(message)
    assert caught.value.code is StatusCode.INVALID_PRECISION
    assert "in" in str(caught.value)


def test_bytes_contents_and_raw_bytes():
    message = pb.ModelInferRequest(model_name="m")
    tensor = message.inputs.add(name="in", datatype="BYTES", shape=[2])
    tensor.contents.bytes_contents.extend([b"a", b"\x00b"])
    assert list(decode_infer_request(message).inputs[0].values) == [b"a", b"\x00b"]
    raw = struct.pack("<I", 1) + b"a" + struct.pack("<I", 0)
    assert list(split_bytes(raw, "in")) == [b"a", b""]
    assert join_bytes(np.array([b"a", b""], dtype=object)) == raw


@pytest.mark.parametrize("raw", [b"\x01\x00", b"\x05\x00\x00\x00abc"])
def test_truncated_bytes_buffer(raw):
    with pytest.raises(OvmsError) as caught:
        split_bytes(raw, "in")
    assert caught.value.code is StatusCode.INVALID_INPUT_FORMAT


def test_raw_and_typed_contents_together_are_refused():
    message = pb.ModelInferRequest(model_name="m")
    tensor = message.inputs.add(name="in", datatype="FP32", shape=[1])
    tensor.contents.fp32_contents.append(1.0)
    message.raw_input_contents.append(b"\x00" * 4)
    with pytest.raises(OvmsError) as caught:
        decode_infer_request(message)
    assert caught.value.code is StatusCode.INVALID_MESSAGE_STRUCTURE
    assert caught.value.message.endswith("for input: in")


def test_raw_contents_must_match_the_inputs():
    message = pb.ModelInferRequest(model_name="m")
    message.inputs.add(name="a", datatype="FP32", shape=[1])
    message.inputs.add(name="b", datatype="FP32", shape=[1])
    message.raw_input_contents.append(b"\x00" * 4)
    with pytest.raises(OvmsError) as caught:
        decode_infer_request(message)
    assert caught.value.code is StatusCode.INVALID_MESSAGE_STRUCTURE


def test_parameters_keep_their_types():
    message = pb.ModelInferRequest(model_name="m")
    message.parameters["a"].bool_param = True
    message.parameters["b"].int64_param = -4
    message.parameters["c"].string_param = "s"
    message.parameters["d"].double_param = 0.5
    message.parameters["e"].uint64_param = 2**64 - 1
    message.parameters["unset"].Clear()
    assert decode_infer_request(message).parameters == {
        "a": True,
        "b": -4,
        "c": "s",
        "d": 0.5,
        "e": 2**64 - 1,
    }


@pytest.mark.parametrize(
    ("text", "expected"),
    [("", None), ("0", 0), ("12", 12), ("9" * 30, StatusCode.MODEL_VERSION_MISSING)],
)
def test_parse_version(text, expected):
    if isinstance(expected, StatusCode):
        with pytest.raises(OvmsError) as caught:
            parse_version(text)
        assert caught.value.code is expected
    else:
        assert parse_version(text) == expected


@pytest.mark.parametrize("text", ["-1", "1.0", "v2", "²"])
def test_invalid_version_format(text):
    with pytest.raises(OvmsError) as caught:
        parse_version(text)
    assert caught.value.code is StatusCode.MODEL_VERSION_INVALID_FORMAT


def test_response_is_raw_with_bytes_prefixed():
    result = _result(
        OutputTensor("f", "FP32", np.arange(4, dtype=np.float32).reshape(2, 2)),
        OutputTensor("s", "BYTES", np.array([b"xy"], dtype=object)),
    )
    response = encode_infer_response(result)
    assert (response.model_name, response.model_version, response.id) == ("m", "3", "id-7")
    assert [(o.name, o.datatype, list(o.shape)) for o in response.outputs] == [
        ("f", "FP32", [2, 2]),
        ("s", "BYTES", [1]),
    ]
    assert response.raw_output_contents[0] == np.arange(4, dtype=np.float32).tobytes()
    assert response.raw_output_contents[1] == b"\x02\x00\x00\x00xy"
    assert not response.outputs[0].HasField("contents")


def test_result_parameters_become_response_parameters():
    result = InferResult(
        "m", 1, "", [], lambda: None, {"sequence_id": 42, "big": 2**64 - 1, "flag": True}
    )
    parameters = encode_infer_response(result).parameters
    assert parameters["sequence_id"].int64_param == 42
    assert parameters["big"].uint64_param == 2**64 - 1
    assert parameters["flag"].bool_param is True
    assert not encode_infer_response(_result()).parameters


def test_kserve_metadata():
    metadata = ModelMetadata(
        "m", ["1", "2"], "OpenVINO", [TensorMetadata("in", "FP32", [-1, 3])], [], version=2
    )
    response = encode_model_metadata(metadata)
    assert (response.name, list(response.versions), response.platform) == (
        "m",
        ["1", "2"],
        "OpenVINO",
    )
    assert list(response.inputs[0].shape) == [-1, 3]


# TF Serving ---------------------------------------------------------------------------------


def _predict(dtype, shape=(2,), **fields):
    message = predict_pb2.PredictRequest()
    message.model_spec.name = "m"
    tensor = message.inputs["in"]
    tensor.dtype = dtype
    for size in shape:
        tensor.tensor_shape.dim.add(size=size)
    for name, value in fields.items():
        if name == "tensor_content":
            tensor.tensor_content = value
        else:
            getattr(tensor, name).extend(value)
    return message


def test_tensor_content_is_viewed_and_named_for_tfs_messages():
    data = np.array([1.0, 2.0], np.float32).tobytes()
    message = _predict(types_pb2.DT_FLOAT, tensor_content=data)
    message.model_spec.version.value = 4
    request = decode_predict_request(message)
    [item] = request.inputs
    assert (item.datatype, item.label, bytes(item.raw)) == ("FP32", "DT_FLOAT", data)
    assert request.model_version == 4
    assert request.input_name_prefix == "input name: "
    assert request.unknown_name_code is StatusCode.PIPELINE_DEFINITION_NAME_MISSING
    assert request.ovms_precision_names


def test_typed_vals_half_val_and_strings():
    [item] = decode_predict_request(_predict(types_pb2.DT_INT32, int_val=[3, -4])).inputs
    np.testing.assert_array_equal(item.values, [3, -4])
    half = np.array([1.5, -2.0], np.float16)
    message = _predict(types_pb2.DT_HALF, half_val=half.view(np.uint16).tolist())
    [item] = decode_predict_request(message).inputs
    assert item.values.dtype == np.float16
    np.testing.assert_array_equal(item.values, half)
    [item] = decode_predict_request(_predict(types_pb2.DT_STRING, string_val=[b"a"])).inputs
    assert (item.datatype, list(item.values)) == ("BYTES", [b"a"])


def test_no_data_is_an_empty_buffer_and_unknown_dtype_is_kept_for_the_message():
    [item] = decode_predict_request(_predict(types_pb2.DT_FLOAT)).inputs
    assert bytes(item.raw) == b""
    [item] = decode_predict_request(_predict(types_pb2.DT_COMPLEX64)).inputs
    assert (item.datatype, item.label) == ("DT_COMPLEX64", "DT_COMPLEX64")


def test_model_spec_is_required():
    with pytest.raises(OvmsError) as caught:
        decode_predict_request(predict_pb2.PredictRequest())
    assert caught.value.code is StatusCode.MODEL_SPEC_MISSING


def test_predict_response_as_ovms_writes_it():
    result = _result(
        OutputTensor("f", "FP32", np.array([[1.0, 2.0]], np.float32)),
        OutputTensor("h", "FP16", np.array([1.5], np.float16)),
        OutputTensor("s", "BYTES", np.array([b"z"], dtype=object)),
    )
    response = encode_predict_response(result)
    f, h, s = response.outputs["f"], response.outputs["h"], response.outputs["s"]
    assert (f.dtype, [d.size for d in f.tensor_shape.dim]) == (types_pb2.DT_FLOAT, [1, 2])
    assert f.tensor_content == np.array([1.0, 2.0], np.float32).tobytes()
    assert (h.dtype, list(h.half_val)) == (
        types_pb2.DT_HALF,
        [int(np.float16(1.5).view(np.uint16))],
    )
    assert (s.dtype, list(s.string_val)) == (types_pb2.DT_STRING, [b"z"])
    assert not response.HasField("model_spec")


def test_predict_response_adds_the_sequence_id_output():
    result = InferResult(
        "m",
        1,
        "",
        [OutputTensor("sum", "FP32", np.ones((1, 2), np.float32))],
        lambda: None,
        {"sequence_id": 2**64 - 1},
    )
    response = encode_predict_response(result)
    sequence = response.outputs["sequence_id"]
    assert sequence.dtype == types_pb2.DT_UINT64
    assert [d.size for d in sequence.tensor_shape.dim] == [1]
    assert list(sequence.uint64_val) == [2**64 - 1]
    assert "sequence_id" not in encode_predict_response(_result()).outputs


def test_special_inputs_and_string_val_reach_the_dataplane():
    request = predict_pb2.PredictRequest()
    request.model_spec.name = "m"
    sequence = request.inputs["sequence_id"]
    sequence.dtype = types_pb2.DT_UINT64
    sequence.tensor_shape.dim.add(size=1)
    sequence.uint64_val.append(9)
    control = request.inputs["sequence_control_input"]
    control.dtype = types_pb2.DT_UINT32  # no tensor_shape: shape []
    control.uint32_val.append(1)
    image = request.inputs["image"]
    image.dtype = types_pb2.DT_STRING
    image.tensor_shape.dim.add(size=2)
    image.string_val.extend([b"\x89PNG", b""])
    inputs = {i.name: i for i in decode_predict_request(request).inputs}
    assert (inputs["sequence_id"].datatype, list(inputs["sequence_id"].shape)) == ("UINT64", [1])
    assert inputs["sequence_id"].values.tolist() == [9]
    assert inputs["sequence_id"].values.dtype == np.uint64
    assert (inputs["sequence_control_input"].datatype, inputs["sequence_control_input"].shape) == (
        "UINT32",
        [],
    )
    assert inputs["sequence_control_input"].values.tolist() == [1]
    assert (inputs["image"].datatype, inputs["image"].label) == ("BYTES", "DT_STRING")
    assert inputs["image"].values.tolist() == [b"\x89PNG", b""]


def test_tfs_metadata_packs_a_signature_def_map():
    metadata = ModelMetadata(
        "m",
        ["2"],
        "OpenVINO",
        [TensorMetadata("in", "INT64", [-1, 5])],
        [TensorMetadata("out", "FP32", [1])],
        version=2,
    )
    response = encode_tfs_metadata(metadata)
    assert (response.model_spec.name, response.model_spec.version.value) == ("m", 2)
    signatures = get_model_metadata_pb2.SignatureDefMap()
    assert response.metadata["signature_def"].Unpack(signatures)
    signature = signatures.signature_def["serving_default"]
    info = signature.inputs["in"]
    assert (info.name, info.dtype) == ("in", types_pb2.DT_INT64)
    assert [d.size for d in info.tensor_shape.dim] == [-1, 5]
    assert signature.method_name == ""


def test_model_status_names_states_and_codes():
    response = encode_model_status(
        [VersionStatus(1, "END", "OK"), VersionStatus(2, "LOADING", "FAILED_PRECONDITION")]
    )
    first, second = response.model_version_status
    assert (first.version, first.state, first.status.error_message) == (
        1,
        get_model_status_pb2.ModelVersionStatus.END,
        "OK",
    )
    assert second.state == get_model_status_pb2.ModelVersionStatus.LOADING
    assert (second.status.error_code, second.status.error_message) == (9, "FAILED_PRECONDITION")


def _typed_request(**contents):
    request = pb.ModelInferRequest(model_name="m")
    request.inputs.add(name="first", datatype="INT32", shape=[2]).contents.int_contents.extend(
        [1, 2]
    )
    for name, (datatype, values) in contents.items():
        tensor = request.inputs.add(name=name, datatype=datatype, shape=[len(values)])
        field = "fp32_contents" if datatype == "FP32" else "fp64_contents"
        getattr(tensor.contents, field).extend(values)
    return request


def test_float_contents_are_views_of_the_wire_bytes():
    wire = _typed_request(
        x=("FP32", [0.5, -1.25, 3.0]), y=("FP64", [1e300, -2.0])
    ).SerializeToString()
    decoded = decode_infer_request(pb.ModelInferRequest.FromString(wire), wire)
    first, x, y = decoded.inputs
    assert first.values.tolist() == [1, 2]
    assert x.values.dtype == np.float32 and x.values.tolist() == [0.5, -1.25, 3.0]
    assert y.values.dtype == np.float64 and y.values.tolist() == [1e300, -2.0]
    for view in (x.values, y.values):
        assert np.shares_memory(view, np.frombuffer(wire, np.uint8))


def test_float_contents_without_their_wire_bytes_or_mixed_are_read_from_the_message():
    request = _typed_request(x=("FP32", [0.5, 2.0]))
    request.inputs[1].contents.int_contents.append(7)  # a second field: no single packed run
    wire = request.SerializeToString()
    for decoded in (
        decode_infer_request(pb.ModelInferRequest.FromString(wire), wire),
        decode_infer_request(pb.ModelInferRequest.FromString(wire)),
    ):
        values = decoded.inputs[1].values
        assert values.tolist() == [0.5, 2.0]
        assert not np.shares_memory(values, np.frombuffer(wire, np.uint8))
