"""Encoded images and string tensors over KServe REST (JSON, binary extension, tritonclient)."""

import base64
import http.client
import json
import struct

import numpy as np
import openvino as ov
import pytest
from ovms_testing.models import image_model, save_version, string_model, u8_string_model
from ovms_testing.server import ServerProcess

cv2 = pytest.importorskip("cv2")
http_client = pytest.importorskip("tritonclient.http")

RNG = np.random.default_rng(3)


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    root = tmp_path_factory.mktemp("binary-rest")
    save_version(image_model((1, 6, 8, 3)), str(root / "image"), 1)
    save_version(image_model((3, 6, 8, 3), ov.Type.u8), str(root / "batch"), 1)
    save_version(image_model((1, 3, 6, 8)), str(root / "nchw"), 1)
    save_version(image_model((1, 32, 48, 3)), str(root / "photo"), 1)
    save_version(string_model(), str(root / "strings"), 1)
    save_version(u8_string_model(), str(root / "u8_strings"), 1)
    models = [
        {"name": "image", "base_path": "image"},
        {"name": "batch", "base_path": "batch"},
        {"name": "nchw", "base_path": "nchw", "layout": "NHWC:NCHW"},
        {"name": "photo", "base_path": "photo"},
        {"name": "strings", "base_path": "strings"},
        {"name": "u8_strings", "base_path": "u8_strings"},
    ]
    config = root / "config.json"
    config.write_text(json.dumps({"model_config_list": [{"config": m} for m in models]}))
    with ServerProcess(["--config_path", str(config)]) as running:
        yield running


def encode(pixels, extension=".png", **params):
    flags = [cv2.IMWRITE_JPEG_QUALITY, params["quality"]] if "quality" in params else []
    ok, data = cv2.imencode(extension, pixels, flags)
    assert ok
    return data.tobytes()


def post(server, model, document, tail=b""):
    head = json.dumps(document).encode()
    headers = {"Inference-Header-Content-Length": str(len(head))} if tail else {}
    connection = http.client.HTTPConnection("127.0.0.1", server.rest_port, timeout=30)
    try:
        connection.request("POST", f"/v2/models/{model}/infer", head + tail, headers)
        reply = connection.getresponse()
        return reply.status, json.loads(reply.read())
    finally:
        connection.close()


def output(body):
    out = body["outputs"][0]
    return np.array(out["data"]).reshape(out["shape"])


def length_prefixed(*items):
    return b"".join(struct.pack("<I", len(item)) + item for item in items)


def binary_images(server, model, *images):
    tail = length_prefixed(*images)
    inputs = [
        {
            "name": "image",
            "shape": [len(images)],
            "datatype": "BYTES",
            "parameters": {"binary_data_size": len(tail)},
        }
    ]
    return post(server, model, {"inputs": inputs}, tail)


BGR = RNG.integers(0, 256, (6, 8, 3), dtype=np.uint8)


def test_png_in_the_binary_extension_is_exact(server):
    status, body = binary_images(server, "image", encode(BGR))
    assert status == 200, body
    np.testing.assert_array_equal(output(body), BGR[np.newaxis].astype(np.float32))


def test_png_as_base64_in_json(server):
    data = {"b64": base64.b64encode(encode(BGR)).decode()}
    inputs = [{"name": "image", "shape": [1], "datatype": "BYTES", "data": [data]}]
    status, body = post(server, "image", {"inputs": inputs})
    assert status == 200, body
    np.testing.assert_array_equal(output(body), BGR[np.newaxis].astype(np.float32))


def test_batch_of_images_resized_to_the_model(server):
    other = RNG.integers(0, 256, (6, 8, 3), dtype=np.uint8)
    large = RNG.integers(0, 256, (12, 16, 3), dtype=np.uint8)
    status, body = binary_images(server, "batch", encode(BGR), encode(other), encode(large))
    assert status == 200, body
    expected = np.stack([BGR, other, cv2.resize(large, (8, 6), interpolation=cv2.INTER_LINEAR)])
    np.testing.assert_array_equal(output(body), expected)


def test_layout_conversion_for_an_nchw_model(server):
    status, body = binary_images(server, "nchw", encode(BGR))
    assert status == 200, body
    np.testing.assert_array_equal(output(body), BGR.transpose(2, 0, 1)[np.newaxis])


def test_jpeg_within_tolerance_with_tritonclient(server):
    y, x = np.mgrid[0:32, 0:48]
    smooth = np.stack([x * 5, y * 7, (x + y) * 3], axis=-1).astype(np.uint8)
    jpeg = encode(smooth, ".jpg", quality=95)
    client = http_client.InferenceServerClient(f"127.0.0.1:{server.rest_port}")
    try:
        tensor = http_client.InferInput("image", [1], "BYTES")
        tensor.set_data_from_numpy(np.array([jpeg], dtype=object), binary_data=True)
        pixels = client.infer("photo", [tensor]).as_numpy("pixels")[0]
    finally:
        client.close()
    error = np.abs(pixels - smooth.astype(np.float32))
    # JPEG quality 95 on a smooth picture: within 3 levels on average, 16 at worst.
    assert error.mean() <= 3
    assert error.max() <= 16


@pytest.mark.parametrize(
    ("images", "message"),
    [
        ([b"not an image"], "Image parsing failed - not an image in a known format; image 0"),
        ([b""], "Bytes contents is empty"),
        ("two", "Invalid input batch size - Expected: 1; Actual: 2"),
        ("gray", "Invalid number of channels in binary input - Expected: 3; Actual: 1"),
    ],
)
def test_image_errors_are_client_errors(server, images, message):
    if images == "two":
        images = [encode(BGR), encode(BGR)]
    elif images == "gray":
        images = [encode(BGR[:, :, 0])]
    status, body = binary_images(server, "image", *images)
    assert status == 400
    assert body["error"].startswith(message)
    assert binary_images(server, "image", encode(BGR))[0] == 200  # still serving


def test_native_strings_in_and_out(server):
    inputs = [
        {
            "name": "text",
            "shape": [3],
            "datatype": "BYTES",
            "data": ["hello", "wörld", {"b64": "/w=="}],
        }
    ]
    status, body = post(server, "strings", {"inputs": inputs})
    assert status == 200, body
    outputs = {o["name"]: o for o in body["outputs"]}
    assert outputs["echo"] == {
        "name": "echo",
        "shape": [3],
        "datatype": "BYTES",
        "data": ["hello", "wörld", "\ufffd"],
    }
    assert outputs["doubled"]["shape"] == [6]
    client = http_client.InferenceServerClient(f"127.0.0.1:{server.rest_port}")
    try:
        tensor = http_client.InferInput("text", [2], "BYTES")
        tensor.set_data_from_numpy(np.array([b"\xff\x00bin", b"ary"], dtype=object))
        wanted = [http_client.InferRequestedOutput("echo", binary_data=True)]
        result = client.infer("strings", [tensor], outputs=wanted)
        assert result.as_numpy("echo").tolist() == [b"\xff\x00bin", b"ary"]
    finally:
        client.close()


def test_strings_into_a_2d_u8_input(server):
    inputs = [{"name": "text", "shape": [2], "datatype": "BYTES", "data": ["ab", "xyz"]}]
    status, body = post(server, "u8_strings", {"inputs": inputs})
    assert status == 200, body
    np.testing.assert_array_equal(output(body), [[97, 98, 0, 0], [120, 121, 122, 0]])
