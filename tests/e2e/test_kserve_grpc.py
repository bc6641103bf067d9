"""KServe v2 over gRPC with the project's own stubs (client here, server in its own process).

tritonclient's stubs cannot share this process with ours: its tests run in a subprocess.
"""

import struct

import grpc
import numpy as np
import pytest

pb = pytest.importorskip("ovms_frontend_grpc._generated.ovms.grpc_predict_v2_pb2")
from ovms_frontend_grpc._generated.ovms import grpc_predict_v2_pb2_grpc as pb_grpc  # noqa: E402


@pytest.fixture(scope="module")
def channel(server):
    with grpc.insecure_channel(f"127.0.0.1:{server.grpc_port}") as channel:
        yield channel


@pytest.fixture(scope="module")
def stub(channel):
    return pb_grpc.GRPCInferenceServiceStub(channel)


def _fp32_request(model="dummy", values=None, shape=(1, 10), version=""):
    values = np.arange(10, dtype=np.float32) if values is None else values
    request = pb.ModelInferRequest(model_name=model, model_version=version, id="req-1")
    request.inputs.add(name="b", datatype="FP32", shape=shape)
    request.raw_input_contents.append(values.tobytes())
    return request


def _error(call, request):
    with pytest.raises(grpc.RpcError) as caught:
        call(request)
    return caught.value.code(), caught.value.details()


def test_health_and_server_metadata(stub):
    assert stub.ServerLive(pb.ServerLiveRequest()).live
    assert stub.ServerReady(pb.ServerReadyRequest()).ready
    metadata = stub.ServerMetadata(pb.ServerMetadataRequest())
    assert metadata.name == "OpenVINO Model Server"
    assert metadata.version.startswith("2026.2.0")


def test_model_ready_and_metadata(stub):
    assert stub.ModelReady(pb.ModelReadyRequest(name="dummy", version="2")).ready
    assert not stub.ModelReady(pb.ModelReadyRequest(name="broken")).ready
    metadata = stub.ModelMetadata(pb.ModelMetadataRequest(name="dummy"))
    assert (metadata.name, list(metadata.versions), metadata.platform) == (
        "dummy",
        ["1", "2"],
        "OpenVINO",
    )
    [tensor] = metadata.inputs
    assert (tensor.name, tensor.datatype, list(tensor.shape)) == ("b", "FP32", [1, 10])
    dynamic = stub.ModelMetadata(pb.ModelMetadataRequest(name="dynamic", version="1"))
    assert list(dynamic.outputs[0].shape) == [-1, 10]


def test_infer_raw_contents_answers_raw_outputs(stub):
    values = np.linspace(-1, 1, 10, dtype=np.float32)
    response = stub.ModelInfer(_fp32_request(values=values, version="1"))
    assert (response.model_name, response.model_version, response.id) == ("dummy", "1", "req-1")
    [output] = response.outputs
    assert (output.name, output.datatype, list(output.shape)) == ("a", "FP32", [1, 10])
    result = np.frombuffer(response.raw_output_contents[0], np.float32)
    np.testing.assert_array_equal(result, values + 1)


def test_default_version_is_the_highest(stub):
    assert stub.ModelInfer(_fp32_request()).model_version == "2"


def test_infer_typed_contents_and_parameters(stub):
    request = pb.ModelInferRequest(model_name="int32")
    request.parameters["priority"].int64_param = 3
    tensor = request.inputs.add(name="b", datatype="INT32", shape=[1, 4])
    tensor.contents.int_contents.extend([1, -2, 3, 2**31 - 2])
    request.outputs.add(name="a")
    response = stub.ModelInfer(request)
    result = np.frombuffer(response.raw_output_contents[0], np.int32)
    np.testing.assert_array_equal(result, [2, -1, 4, 2**31 - 1])


def test_fp16_and_bf16_travel_as_raw_contents(stub):
    half = np.array([[1.0, 2.5, -3.0]], np.float16)
    request = pb.ModelInferRequest(model_name="fp16")
    request.inputs.add(name="b", datatype="FP16", shape=[1, 3])
    request.raw_input_contents.append(half.tobytes())
    response = stub.ModelInfer(request)
    assert response.outputs[0].datatype == "FP16"
    np.testing.assert_array_equal(
        np.frombuffer(response.raw_output_contents[0], np.float16), half[0] + 1
    )

    floats = np.array([1.0, 2.5, -3.0], np.float32)
    words = (floats.view(np.uint32) >> 16).astype(np.uint16)  # exact in bf16
    request = pb.ModelInferRequest(model_name="bf16")
    request.inputs.add(name="b", datatype="BF16", shape=[1, 3])
    request.raw_input_contents.append(words.tobytes())
    response = stub.ModelInfer(request)
    assert response.outputs[0].datatype == "BF16"
    result = np.frombuffer(response.raw_output_contents[0], np.uint16).astype(np.uint32) << 16
    np.testing.assert_array_equal(result.view(np.float32), floats + 1)


def _length_prefixed(items):
    return b"".join(struct.pack("<I", len(item)) + item for item in items)


def test_bytes_raw_with_length_prefixes_and_typed(stub):
    items = [b"first", b"", b"\x00\xff binary"]
    request = pb.ModelInferRequest(model_name="strings")
    request.inputs.add(name="text", datatype="BYTES", shape=[3])
    request.raw_input_contents.append(_length_prefixed(items))
    response = stub.ModelInfer(request)
    [output] = response.outputs
    assert (output.datatype, list(output.shape)) == ("BYTES", [3])
    assert response.raw_output_contents[0] == _length_prefixed(items)

    request = pb.ModelInferRequest(model_name="strings")
    tensor = request.inputs.add(name="text", datatype="BYTES", shape=[2])
    tensor.contents.bytes_contents.extend([b"x", b"yz"])
    response = stub.ModelInfer(request)
    assert response.raw_output_contents[0] == _length_prefixed([b"x", b"yz"])


def _request_with(**changes):
    request = _fp32_request()
    for key, value in changes.items():
        setattr(request, key, value)
    return request


def _both_raw_and_contents():
    request = _fp32_request()
    request.inputs[0].contents.fp32_contents.extend([0.0] * 10)
    return request


def _precision():
    request = pb.ModelInferRequest(model_name="dummy")
    request.inputs.add(name="b", datatype="INT32", shape=[1, 10])
    request.raw_input_contents.append(np.zeros(10, np.int32).tobytes())
    return request


def _bad_prefix():
    request = pb.ModelInferRequest(model_name="strings")
    request.inputs.add(name="text", datatype="BYTES", shape=[1])
    request.raw_input_contents.append(b"\x09\x00\x00\x00abc")
    return request


@pytest.mark.parametrize(
    ("request_factory", "code", "message"),
    [
        (
            lambda: _request_with(model_name="nope"),
            grpc.StatusCode.NOT_FOUND,
            "Mediapipe graph definition with requested name is not found",
        ),
        (
            lambda: _request_with(model_version="7"),
            grpc.StatusCode.NOT_FOUND,
            "Model with requested version is not found",
        ),
        (
            lambda: _request_with(model_version="v1"),
            grpc.StatusCode.INVALID_ARGUMENT,
            "invalid model version format in request",
        ),
        (
            lambda: _fp32_request(values=np.zeros(3, np.float32), shape=(1, 3)),
            grpc.StatusCode.INVALID_ARGUMENT,
            "Invalid input shape - Expected: (1,10); Actual: (1,3); input name: input name: b",
        ),
        (
            lambda: _fp32_request(values=np.zeros(9, np.float32)),
            grpc.StatusCode.INVALID_ARGUMENT,
            "Invalid content size of tensor proto - Expected: 40 bytes; Actual: 36 bytes; "
            "input name: input name: b",
        ),
        (
            _precision,
            grpc.StatusCode.INVALID_ARGUMENT,
            "Invalid input precision - Expected: FP32; Actual: INT32; input name: input name: b",
        ),
        (
            _both_raw_and_contents,
            grpc.StatusCode.INVALID_ARGUMENT,
            "Passing buffers both in ModelInferRequest::InferInputTensor::contents and in "
            "ModelInferRequest::raw_input_contents is not allowed",
        ),
        (
            _bad_prefix,
            grpc.StatusCode.INVALID_ARGUMENT,
            "Inputs inside buffer does not match expected format.",
        ),
        (
            lambda: _request_with(model_name="broken"),
            grpc.StatusCode.NOT_FOUND,
            "Model with requested version is not found",
        ),
    ],
)
def test_errors_carry_the_ovms_message(stub, request_factory, code, message):
    got_code, details = _error(stub.ModelInfer, request_factory())
    assert got_code == code
    assert details.startswith(message)


def test_metadata_errors(stub):
    assert _error(stub.ModelMetadata, pb.ModelMetadataRequest(name="nope")) == (
        grpc.StatusCode.NOT_FOUND,
        "Model with requested name is not found",
    )
    assert _error(stub.ModelReady, pb.ModelReadyRequest(name="dummy", version="9")) == (
        grpc.StatusCode.NOT_FOUND,
        "Model with requested version is not found",
    )


def test_stream_reports_errors_in_band_and_goes_on(stub):
    requests = [_fp32_request(), _request_with(model_name="nope"), _fp32_request(version="1")]
    responses = list(stub.ModelStreamInfer(iter(requests)))
    assert len(responses) == 3
    assert responses[0].infer_response.model_version == "2"
    assert not responses[0].error_message
    assert responses[1].error_message == (
        "Mediapipe graph definition with requested name is not found"
    )
    assert responses[2].infer_response.model_version == "1"
    result = np.frombuffer(responses[2].infer_response.raw_output_contents[0], np.float32)
    np.testing.assert_array_equal(result, np.arange(10, dtype=np.float32) + 1)


def test_malformed_message_and_unknown_method(channel, stub):
    infer = channel.unary_unary("/inference.GRPCInferenceService/ModelInfer")
    with pytest.raises(grpc.RpcError) as caught:
        infer(b"\xff\xff\xff\xff")
    assert caught.value.code() == grpc.StatusCode.INVALID_ARGUMENT
    assert "inference.ModelInferRequest" in caught.value.details()

    stream = channel.stream_stream("/inference.GRPCInferenceService/ModelStreamInfer")
    [answer] = list(stream(iter([b"\xff\xff"])))
    assert pb.ModelStreamInferResponse.FromString(answer).error_message.startswith(
        "The request could not be parsed"
    )

    for path in ("/inference.GRPCInferenceService/NoSuchMethod", "/no.Such/Service"):
        with pytest.raises(grpc.RpcError) as caught:
            channel.unary_unary(path)(b"")
        assert caught.value.code() == grpc.StatusCode.UNIMPLEMENTED
    assert stub.ModelInfer(_fp32_request()).outputs[0].name == "a"


def _slow_request():
    request = pb.ModelInferRequest(model_name="slow")
    request.inputs.add(name="x", datatype="FP32", shape=[64, 1024])
    request.raw_input_contents.append(np.ones((64, 1024), np.float32).tobytes())
    return request


def test_clients_that_leave_mid_call_do_not_leak_infer_requests(server, stub):
    """Calls cancelled while queued or running; the model (nireq 2) keeps serving."""
    request = _slow_request()
    with grpc.insecure_channel(f"127.0.0.1:{server.grpc_port}") as channel:
        leaving = pb_grpc.GRPCInferenceServiceStub(channel)
        calls = [leaving.ModelInfer.future(request) for _ in range(12)]
        for call in calls:
            call.cancel()
        stream = leaving.ModelStreamInfer(iter([request] * 4))
        stream.cancel()
    # A client that disconnects without cancelling: its channel is simply closed.
    abandoned = grpc.insecure_channel(f"127.0.0.1:{server.grpc_port}")
    [pb_grpc.GRPCInferenceServiceStub(abandoned).ModelInfer.future(request) for _ in range(4)]
    abandoned.close()
    for _ in range(3):
        response = stub.ModelInfer(request, timeout=60)
        assert list(response.outputs[0].shape) == [64, 1024]
