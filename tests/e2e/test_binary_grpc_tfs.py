"""Encoded images and strings over TF-Serving gRPC (``string_val``), TF-Serving REST (``b64``)
and KServe gRPC (BYTES, through tritonclient.grpc in its own process)."""

import base64
import http.client
import importlib.util
import json
import os
import subprocess
import sys

import grpc
import numpy as np
import openvino as ov
import pytest
from ovms_testing.models import image_model, save_version, string_model
from ovms_testing.server import ServerProcess, free_port

pytest.importorskip("ovms_frontend_grpc")
from ovms_frontend_grpc._generated.tensorflow.core.framework import types_pb2
from ovms_frontend_grpc._generated.tensorflow_serving.apis import (
    predict_pb2,
    prediction_service_pb2_grpc,
)

cv2 = pytest.importorskip("cv2")

CLIENTS = os.path.join(os.path.dirname(__file__), "clients")
RNG = np.random.default_rng(7)
BGR = RNG.integers(0, 256, (6, 8, 3), dtype=np.uint8)
OTHER = RNG.integers(0, 256, (6, 8, 3), dtype=np.uint8)
LARGE = RNG.integers(0, 256, (12, 16, 3), dtype=np.uint8)
Y, X = np.mgrid[0:32, 0:48]
SMOOTH = np.stack([X * 5, Y * 7, (X + Y) * 3], axis=-1).astype(np.uint8)


def encode(pixels, extension=".png", quality=None):
    flags = [cv2.IMWRITE_JPEG_QUALITY, quality] if quality else []
    ok, data = cv2.imencode(extension, pixels, flags)
    assert ok
    return data.tobytes()


PNG, OTHER_PNG, LARGE_PNG = encode(BGR), encode(OTHER), encode(LARGE)
JPEG = encode(SMOOTH, ".jpg", quality=95)
BATCH = np.stack([BGR, OTHER, cv2.resize(LARGE, (8, 6), interpolation=cv2.INTER_LINEAR)])


def assert_jpeg_close(pixels):
    error = np.abs(np.asarray(pixels, np.float32).reshape(SMOOTH.shape) - SMOOTH)
    # JPEG quality 95 on a smooth picture: within 3 levels on average, 16 at worst.
    assert error.mean() <= 3
    assert error.max() <= 16


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    root = tmp_path_factory.mktemp("binary-grpc")
    save_version(image_model((1, 6, 8, 3)), str(root / "image"), 1)
    save_version(image_model((3, 6, 8, 3), ov.Type.u8), str(root / "batch"), 1)
    save_version(image_model((1, 3, 6, 8)), str(root / "nchw"), 1)
    save_version(image_model((1, 32, 48, 3)), str(root / "photo"), 1)
    save_version(string_model(), str(root / "strings"), 1)
    models = [
        {"name": "image", "base_path": "image"},
        {"name": "batch", "base_path": "batch"},
        {"name": "nchw", "base_path": "nchw", "layout": "NHWC:NCHW"},
        {"name": "photo", "base_path": "photo"},
        {"name": "strings", "base_path": "strings"},
    ]
    config = root / "config.json"
    config.write_text(json.dumps({"model_config_list": [{"config": m} for m in models]}))
    with ServerProcess(["--config_path", str(config), "--port", str(free_port())]) as running:
        yield running


@pytest.fixture(scope="module")
def predict(server):
    with grpc.insecure_channel(f"127.0.0.1:{server.grpc_port}") as channel:
        yield prediction_service_pb2_grpc.PredictionServiceStub(channel).Predict


def string_request(model, items, name="image"):
    request = predict_pb2.PredictRequest()
    request.model_spec.name = model
    tensor = request.inputs[name]
    tensor.dtype = types_pb2.DT_STRING
    tensor.tensor_shape.dim.add(size=len(items))
    tensor.string_val.extend(items)
    return request


def pixels(response, dtype=np.float32):
    tensor = response.outputs["pixels"]
    shape = [d.size for d in tensor.tensor_shape.dim]
    return np.frombuffer(tensor.tensor_content, dtype).reshape(shape)


def test_tfs_grpc_png_is_exact(predict):
    np.testing.assert_array_equal(pixels(predict(string_request("image", [PNG]))), BGR[None])


def test_tfs_grpc_batch_of_images_resized_to_the_model(predict):
    response = predict(string_request("batch", [PNG, OTHER_PNG, LARGE_PNG]))
    np.testing.assert_array_equal(pixels(response, np.uint8), BATCH)


def test_tfs_grpc_layout_conversion(predict):
    response = predict(string_request("nchw", [PNG]))
    np.testing.assert_array_equal(pixels(response), BGR.transpose(2, 0, 1)[None])


def test_tfs_grpc_jpeg_within_tolerance(predict):
    assert_jpeg_close(pixels(predict(string_request("photo", [JPEG]))))


@pytest.mark.parametrize(
    ("items", "code", "message"),
    [
        (
            [b"not an image"],
            grpc.StatusCode.UNKNOWN,
            "Image parsing failed - not an image in a known format; image 0",
        ),
        ([b""], grpc.StatusCode.INVALID_ARGUMENT, "String val is empty"),
        ([PNG, PNG], grpc.StatusCode.INVALID_ARGUMENT, "Invalid input batch size - Expected: 1"),
        (
            [encode(BGR[:, :, 0])],
            grpc.StatusCode.INVALID_ARGUMENT,
            "Invalid number of channels in binary input - Expected: 3; Actual: 1",
        ),
    ],
)
def test_tfs_grpc_image_errors(predict, items, code, message):
    with pytest.raises(grpc.RpcError) as caught:
        predict(string_request("image", items))
    assert caught.value.code() == code
    assert caught.value.details().startswith(message)
    assert pixels(predict(string_request("image", [PNG]))).shape == (1, 6, 8, 3)  # serving


def test_tfs_grpc_native_strings(predict):
    response = predict(string_request("strings", [b"hello", b"\xff\x00bin"], name="text"))
    echo = response.outputs["echo"]
    assert echo.dtype == types_pb2.DT_STRING
    assert [d.size for d in echo.tensor_shape.dim] == [2]
    assert list(echo.string_val) == [b"hello", b"\xff\x00bin"]
    assert len(response.outputs["doubled"].string_val) == 4


def rest(server, model, document):
    connection = http.client.HTTPConnection("127.0.0.1", server.rest_port, timeout=30)
    try:
        connection.request("POST", f"/v1/models/{model}:predict", json.dumps(document).encode())
        reply = connection.getresponse()
        return reply.status, json.loads(reply.read())
    finally:
        connection.close()


def b64(data):
    return {"b64": base64.b64encode(data).decode()}


def test_tfs_rest_png_row_and_column(server):
    status, body = rest(server, "image", {"instances": [b64(PNG)]})
    assert status == 200, body
    np.testing.assert_array_equal(body["predictions"], BGR[None])
    status, body = rest(server, "image", {"inputs": {"image": [b64(PNG)]}})
    assert status == 200, body
    np.testing.assert_array_equal(body["outputs"], BGR[None])


def test_tfs_rest_batch_of_images(server):
    document = {"inputs": {"image": [b64(PNG), b64(OTHER_PNG), b64(LARGE_PNG)]}}
    status, body = rest(server, "batch", document)
    assert status == 200, body
    np.testing.assert_array_equal(body["outputs"], BATCH)


def test_tfs_rest_jpeg_within_tolerance(server):
    status, body = rest(server, "photo", {"instances": [b64(JPEG)]})
    assert status == 200, body
    assert_jpeg_close(body["predictions"])


def test_tfs_rest_image_errors(server):
    status, body = rest(server, "image", {"instances": [b64(b"not an image")]})
    assert status == 400
    assert body["error"].startswith("Image parsing failed - not an image in a known format")
    status, body = rest(server, "image", {"instances": [b64(PNG), b64(PNG)]})
    assert status == 400
    assert body["error"].startswith("Invalid input batch size - Expected: 1; Actual: 2")


def test_tfs_rest_native_strings(server):
    status, body = rest(server, "strings", {"inputs": {"text": ["hello", b64(b"wor")]}})
    assert status == 200, body
    assert body["outputs"]["echo"] == ["hello", "wor"]


@pytest.fixture(scope="module")
def triton(server, tmp_path_factory):
    if importlib.util.find_spec("tritonclient") is None:
        pytest.skip("tritonclient is not installed")
    folder = tmp_path_factory.mktemp("triton-images")
    files = {}
    for key, data in {
        "png": PNG,
        "other": OTHER_PNG,
        "large": LARGE_PNG,
        "jpeg": JPEG,
        "bad": b"not an image",
        "text": b"\xff\x00bin",
    }.items():
        files[key] = str(folder / key)
        with open(files[key], "wb") as file:
            file.write(data)
    requests = {
        "png": {"model": "image", "files": [files["png"]], "output": "pixels"},
        "batch": {
            "model": "batch",
            "files": [files["png"], files["other"], files["large"]],
            "output": "pixels",
        },
        "jpeg": {"model": "photo", "files": [files["jpeg"]], "output": "pixels"},
        "bad": {"model": "image", "files": [files["bad"]], "output": "pixels"},
        "two": {"model": "image", "files": [files["png"], files["png"]], "output": "pixels"},
        "strings": {"model": "strings", "files": [files["text"]], "output": "echo"},
    }
    requests_path = folder / "requests.json"
    requests_path.write_text(json.dumps(requests))
    script = os.path.join(CLIENTS, "tritonclient_grpc_images.py")
    done = subprocess.run(
        [sys.executable, script, f"127.0.0.1:{server.grpc_port}", str(requests_path)],
        capture_output=True,
        text=True,
        timeout=180,
    )
    assert done.returncode == 0, done.stderr
    return json.loads(done.stdout)


def test_kserve_grpc_images(triton):
    np.testing.assert_array_equal(triton["png"], BGR[None])
    np.testing.assert_array_equal(triton["batch"], BATCH)
    assert_jpeg_close(triton["jpeg"])


def test_kserve_grpc_image_errors_and_strings(triton):
    assert triton["bad"]["status"] == "StatusCode.UNKNOWN"
    assert triton["bad"]["message"].startswith("Image parsing failed")
    assert triton["two"]["status"] == "StatusCode.INVALID_ARGUMENT"
    assert triton["two"]["message"].startswith("Invalid input batch size - Expected: 1; Actual: 2")
    assert triton["strings"] == [b"\xff\x00bin".decode("latin-1")]
