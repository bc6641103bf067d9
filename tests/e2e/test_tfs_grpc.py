"""TensorFlow Serving over gRPC with the project's own stubs (server in its own process)."""

import grpc
import numpy as np
import pytest

pytest.importorskip("ovms_frontend_grpc")
from ovms_frontend_grpc._generated.tensorflow.core.framework import types_pb2
from ovms_frontend_grpc._generated.tensorflow_serving.apis import (
    get_model_metadata_pb2,
    get_model_status_pb2,
    model_service_pb2_grpc,
    predict_pb2,
    prediction_service_pb2_grpc,
)


@pytest.fixture(scope="module")
def channel(server):
    with grpc.insecure_channel(f"127.0.0.1:{server.grpc_port}") as channel:
        yield channel


@pytest.fixture(scope="module")
def predictions(channel):
    return prediction_service_pb2_grpc.PredictionServiceStub(channel)


@pytest.fixture(scope="module")
def models(channel):
    return model_service_pb2_grpc.ModelServiceStub(channel)


def _request(model="dummy", version=None, name="b", dtype=types_pb2.DT_FLOAT, shape=(1, 10)):
    request = predict_pb2.PredictRequest()
    request.model_spec.name = model
    if version is not None:
        request.model_spec.version.value = version
    tensor = request.inputs[name]
    tensor.dtype = dtype
    for size in shape:
        tensor.tensor_shape.dim.add(size=size)
    return request, tensor


def _array(tensor, dtype):
    shape = [d.size for d in tensor.tensor_shape.dim]
    return np.frombuffer(tensor.tensor_content, dtype).reshape(shape)


def _error(call, request):
    with pytest.raises(grpc.RpcError) as caught:
        call(request)
    return caught.value.code(), caught.value.details()


def test_predict_tensor_content(predictions):
    values = np.linspace(0, 1, 10, dtype=np.float32).reshape(1, 10)
    request, tensor = _request(version=1)
    tensor.tensor_content = values.tobytes()
    response = predictions.Predict(request)
    assert list(response.outputs) == ["a"]
    output = response.outputs["a"]
    assert output.dtype == types_pb2.DT_FLOAT
    np.testing.assert_array_equal(_array(output, np.float32), values + 1)
    assert not response.HasField("model_spec")


def test_predict_typed_values(predictions):
    request, tensor = _request()
    tensor.float_val.extend(range(10))
    output = predictions.Predict(request).outputs["a"]
    np.testing.assert_array_equal(_array(output, np.float32), np.arange(1, 11).reshape(1, 10))

    request, tensor = _request("int32", dtype=types_pb2.DT_INT32, shape=(1, 4))
    tensor.int_val.extend([5, -5, 0, 7])
    output = predictions.Predict(request).outputs["a"]
    assert output.dtype == types_pb2.DT_INT32
    np.testing.assert_array_equal(_array(output, np.int32), [[6, -4, 1, 8]])


def test_fp16_in_half_val_and_out_in_half_val(predictions):
    half = np.array([1.0, 2.5, -3.0], np.float16)
    request, tensor = _request("fp16", dtype=types_pb2.DT_HALF, shape=(1, 3))
    tensor.half_val.extend(half.view(np.uint16).tolist())
    output = predictions.Predict(request).outputs["a"]
    assert output.dtype == types_pb2.DT_HALF
    assert not output.tensor_content
    result = np.array(output.half_val, np.uint16).view(np.float16)
    np.testing.assert_array_equal(result, half + 1)


def test_dt_string_travels_in_string_val(predictions):
    request, tensor = _request("strings", name="text", dtype=types_pb2.DT_STRING, shape=(2,))
    tensor.string_val.extend([b"hello", b"\xffbinary"])
    output = predictions.Predict(request).outputs["text"]
    assert output.dtype == types_pb2.DT_STRING
    assert list(output.string_val) == [b"hello", b"\xffbinary"]


@pytest.mark.parametrize(
    ("change", "code", "message"),
    [
        (
            lambda r, t: setattr(r.model_spec, "name", "nope"),
            grpc.StatusCode.NOT_FOUND,
            "Pipeline with requested name is not found",
        ),
        (
            lambda r, t: r.model_spec.version.__setattr__("value", 9),
            grpc.StatusCode.NOT_FOUND,
            "Model with requested version is not found",
        ),
        (
            lambda r, t: r.ClearField("model_spec"),
            grpc.StatusCode.INVALID_ARGUMENT,
            "model_spec missing in request",
        ),
        (
            lambda r, t: setattr(t, "dtype", types_pb2.DT_INT32),
            grpc.StatusCode.INVALID_ARGUMENT,
            "Invalid input precision - Expected: FP32; Actual: DT_INT32; input name: b",
        ),
        (
            lambda r, t: setattr(t, "tensor_content", b"\x00" * 36),
            grpc.StatusCode.INVALID_ARGUMENT,
            "Invalid content size of tensor proto - Expected: 40 bytes; Actual: 36 bytes; "
            "input name: b",
        ),
        (
            lambda r, t: t.float_val.extend([1.0] * 9),
            grpc.StatusCode.INVALID_ARGUMENT,
            "Invalid number of values in tensor proto container - Expected: 10 values; "
            "Actual: 9 values; input name: b",
        ),
        (
            lambda r, t: t.tensor_shape.dim.add(size=1),
            grpc.StatusCode.INVALID_ARGUMENT,
            "Invalid number of shape dimensions - Expected: (1,10); Actual: (1,10,1); "
            "input name: b",
        ),
    ],
)
def test_predict_errors_carry_the_ovms_message(predictions, change, code, message):
    request, tensor = _request()
    change(request, tensor)
    assert _error(predictions.Predict, request) == (code, message)


def test_metadata_signature_def(predictions):
    request = get_model_metadata_pb2.GetModelMetadataRequest(metadata_field=["signature_def"])
    request.model_spec.name = "dummy"
    response = predictions.GetModelMetadata(request)
    assert (response.model_spec.name, response.model_spec.version.value) == ("dummy", 2)
    packed = response.metadata["signature_def"]
    assert packed.type_url == "type.googleapis.com/tensorflow.serving.SignatureDefMap"
    signatures = get_model_metadata_pb2.SignatureDefMap()
    assert packed.Unpack(signatures)
    signature = signatures.signature_def["serving_default"]
    assert list(signature.inputs) == ["b"]
    info = signature.inputs["b"]
    assert (info.name, info.dtype) == ("b", types_pb2.DT_FLOAT)
    assert [d.size for d in info.tensor_shape.dim] == [1, 10]
    assert signature.outputs["a"].name == "a"

    request.model_spec.name = "dynamic"
    signature = _signature(predictions.GetModelMetadata(request))
    assert [d.size for d in signature.inputs["b"].tensor_shape.dim] == [-1, 10]


def _signature(response):
    signatures = get_model_metadata_pb2.SignatureDefMap()
    response.metadata["signature_def"].Unpack(signatures)
    return signatures.signature_def["serving_default"]


def test_metadata_errors(predictions):
    request = get_model_metadata_pb2.GetModelMetadataRequest(metadata_field=["inputs"])
    request.model_spec.name = "dummy"
    assert _error(predictions.GetModelMetadata, request) == (
        grpc.StatusCode.INVALID_ARGUMENT,
        "Invalid signature name",
    )
    request = get_model_metadata_pb2.GetModelMetadataRequest(metadata_field=["signature_def"])
    request.model_spec.name = "nope"
    assert _error(predictions.GetModelMetadata, request) == (
        grpc.StatusCode.NOT_FOUND,
        "Model with requested name is not found",
    )


def test_model_status(models):
    request = get_model_status_pb2.GetModelStatusRequest()
    request.model_spec.name = "dummy"
    response = models.GetModelStatus(request)
    assert [(s.version, s.state) for s in response.model_version_status] == [
        (1, get_model_status_pb2.ModelVersionStatus.AVAILABLE),
        (2, get_model_status_pb2.ModelVersionStatus.AVAILABLE),
    ]
    status = response.model_version_status[0].status
    assert (status.error_code, status.error_message) == (0, "OK")

    request.model_spec.version.value = 2
    assert [s.version for s in models.GetModelStatus(request).model_version_status] == [2]

    request = get_model_status_pb2.GetModelStatusRequest()
    request.model_spec.name = "broken"
    [broken] = models.GetModelStatus(request).model_version_status
    assert broken.state == get_model_status_pb2.ModelVersionStatus.LOADING
    assert broken.status.error_message != "OK"

    request.model_spec.name = "nope"
    assert _error(models.GetModelStatus, request) == (
        grpc.StatusCode.NOT_FOUND,
        "Model with requested name is not found",
    )
