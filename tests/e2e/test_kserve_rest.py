"""KServe v2 REST end to end: `ovms serve` in a subprocess, real HTTP over loopback."""

import http.client
import json
import struct

import numpy as np
import pytest


def call(server, method, path, body=None, headers=None):
    connection = http.client.HTTPConnection("127.0.0.1", server.rest_port, timeout=30)
    try:
        connection.request(method, path, body=body, headers=headers or {})
        reply = connection.getresponse()
        return reply.status, dict(reply.getheaders()), reply.read()
    finally:
        connection.close()


def infer(server, model, document, tail=b"", version=None):
    path = f"/v2/models/{model}" + (f"/versions/{version}" if version else "") + "/infer"
    head = json.dumps(document).encode()
    headers = {"Inference-Header-Content-Length": str(len(head))} if tail else {}
    return call(server, "POST", path, head + tail, headers)


def error_of(body):
    return json.loads(body)["error"]


def test_health_and_server_metadata(server):
    assert call(server, "GET", "/v2/health/live")[0] == 200
    assert call(server, "GET", "/v2/health/ready")[0] == 200
    status, _, body = call(server, "GET", "/v2")
    assert status == 200
    assert json.loads(body)["name"] == "OpenVINO Model Server"


def test_model_metadata(server):
    status, _, body = call(server, "GET", "/v2/models/dummy/versions/1")
    assert status == 200
    assert json.loads(body) == {
        "name": "dummy",
        "versions": ["1", "2"],
        "platform": "OpenVINO",
        "inputs": [{"name": "b", "datatype": "FP32", "shape": [1, 10]}],
        "outputs": [{"name": "a", "datatype": "FP32", "shape": [1, 10]}],
    }
    dynamic = json.loads(call(server, "GET", "/v2/models/dynamic/")[2])
    assert dynamic["inputs"][0]["shape"] == [-1, 10]


def test_model_ready(server):
    assert call(server, "GET", "/v2/models/dummy/ready")[0] == 200
    assert call(server, "GET", "/v2/models/dummy/versions/2/ready")[0] == 200
    status, _, body = call(server, "GET", "/v2/models/broken/ready")
    assert status == 404
    status, _, body = call(server, "GET", "/v2/models/dummy/versions/9/ready")
    assert (status, error_of(body)) == (404, "Model with requested version is not found")


def test_json_infer_exact_values(server):
    document = {
        "id": "r1",
        "inputs": [{"name": "b", "shape": [1, 10], "datatype": "FP32", "data": list(range(10))}],
    }
    status, _, body = infer(server, "dummy", document)
    assert status == 200
    assert json.loads(body) == {
        "model_name": "dummy",
        "id": "r1",
        "model_version": "2",
        "outputs": [
            {
                "name": "a",
                "shape": [1, 10],
                "datatype": "FP32",
                "data": [float(i + 1) for i in range(10)],
            }
        ],
    }


def test_specific_version(server):
    document = {"inputs": [{"name": "b", "shape": [1, 10], "datatype": "FP32", "data": [0] * 10}]}
    status, _, body = infer(server, "dummy", document, version=1)
    assert status == 200
    assert json.loads(body)["model_version"] == "1"


def test_binary_input_and_output(server):
    values = np.linspace(-1, 1, 10, dtype=np.float32).reshape(1, 10)
    document = {
        "inputs": [{"name": "b", "shape": [1, 10], "datatype": "FP32"}],
        "outputs": [{"name": "a", "parameters": {"binary_data": True}}],
    }
    status, headers, body = infer(server, "dummy", document, values.tobytes())
    assert status == 200
    length = int(headers["Inference-Header-Content-Length"])
    head = json.loads(body[:length])
    assert head["outputs"][0]["parameters"] == {"binary_data_size": 40}
    np.testing.assert_array_equal(np.frombuffer(body[length:], np.float32), values.ravel() + 1)


def test_two_inputs_and_request_level_binary_output(server):
    x = np.arange(10, dtype=np.float32).reshape(1, 10)
    document = {
        "inputs": [
            {"name": "input1", "shape": [1, 10], "datatype": "FP32"},
            {
                "name": "input2",
                "shape": [1, 10],
                "datatype": "FP32",
                "data": (x * 10).ravel().tolist(),
            },
        ],
        "parameters": {"binary_data_output": True},
    }
    status, headers, body = infer(server, "add_two", document, x.tobytes())
    assert status == 200
    length = int(headers["Inference-Header-Content-Length"])
    np.testing.assert_array_equal(np.frombuffer(body[length:], np.float32), (x * 11).ravel())


def test_dynamic_batch(server):
    x = np.arange(30, dtype=np.float32).reshape(3, 10)
    document = {
        "inputs": [{"name": "b", "shape": [3, 10], "datatype": "FP32", "data": x.ravel().tolist()}]
    }
    status, _, body = infer(server, "dynamic", document)
    assert status == 200
    output = json.loads(body)["outputs"][0]
    assert output["shape"] == [3, 10]
    assert output["data"] == (x + 1).ravel().tolist()


def test_int32_and_fp16(server):
    document = {
        "inputs": [
            {"name": "b", "shape": [1, 4], "datatype": "INT32", "data": [1, -2, 3, 2147483646]}
        ]
    }
    status, _, body = infer(server, "int32", document)
    assert status == 200
    assert json.loads(body)["outputs"][0]["data"] == [2, -1, 4, 2147483647]
    half = np.array([[0.5, 1.5, -2.0]], dtype=np.float16)
    document = {"inputs": [{"name": "b", "shape": [1, 3], "datatype": "FP16"}]}
    status, _, body = infer(server, "fp16", document, half.tobytes())
    assert status == 200
    output = json.loads(body)["outputs"][0]
    assert (output["datatype"], output["data"]) == ("FP16", [1.5, 2.5, -1.0])


BAD_REQUESTS = [
    ("truncated JSON", b'{"inputs": [{"name": "b"', {}, 412, "The file is not valid json"),
    (
        "wrong shape",
        {"inputs": [{"name": "b", "shape": [1, 3], "datatype": "FP32", "data": [1, 2, 3]}]},
        {},
        400,
        "Invalid input shape - Expected: (1,10); Actual: (1,3); input name: input name: b",
    ),
    (
        "wrong datatype",
        {"inputs": [{"name": "b", "shape": [1, 10], "datatype": "INT32", "data": [1] * 10}]},
        {},
        400,
        "Invalid input precision - Expected: FP32; Actual: INT32; input name: input name: b",
    ),
    (
        "too few values",
        {"inputs": [{"name": "b", "shape": [1, 10], "datatype": "FP32", "data": [1] * 9}]},
        {},
        400,
        "Invalid number of values in tensor proto container - Expected: 10 values; "
        "Actual: 9 values",
    ),
    (
        "binary length mismatch",
        {
            "inputs": [
                {
                    "name": "b",
                    "shape": [1, 10],
                    "datatype": "FP32",
                    "parameters": {"binary_data_size": 36},
                }
            ]
        },
        {"tail": b"\0" * 36},
        400,
        "Invalid content size of tensor proto - Expected: 40 bytes; Actual: 36 bytes",
    ),
    (
        "oversized declared shape",
        {"inputs": [{"name": "b", "shape": [100000, 100000], "datatype": "FP32"}]},
        {"tail": b"\0" * 40},
        400,
        "Received buffer size is smaller than binary_data_size parameter indicates",
    ),
    (
        "unknown input",
        {"inputs": [{"name": "zz", "shape": [1, 10], "datatype": "FP32", "data": [0] * 10}]},
        {},
        400,
        "Missing input with specific name - Required input: b",
    ),
    (
        "unknown output",
        {
            "inputs": [{"name": "b", "shape": [1, 10], "datatype": "FP32", "data": [0] * 10}],
            "outputs": [{"name": "nope"}],
        },
        {},
        400,
        "Missing output with specific name",
    ),
    ("not an object", [1, 2, 3], {}, 400, "Request body should be JSON object"),
]


@pytest.mark.parametrize(("label", "document", "extra", "status", "message"), BAD_REQUESTS)
def test_bad_requests_get_4xx_with_the_ovms_message(
    server, label, document, extra, status, message
):
    if isinstance(document, bytes):
        got_status, _, body = call(server, "POST", "/v2/models/dummy/infer", document)
    else:
        got_status, _, body = infer(server, "dummy", document, extra.get("tail", b""))
    assert got_status == status, body
    assert error_of(body).startswith(message)
    assert call(server, "GET", "/v2/health/live")[0] == 200


def test_unknown_model_and_version(server):
    document = {"inputs": [{"name": "b", "shape": [1, 10], "datatype": "FP32", "data": [0] * 10}]}
    status, _, body = infer(server, "nope", document)
    assert (status, error_of(body)) == (
        404,
        "Mediapipe graph definition with requested name is not found",
    )
    status, _, body = infer(server, "dummy", document, version=7)
    assert (status, error_of(body)) == (404, "Model with requested version is not found")
    status, _, body = call(server, "GET", "/v2/models/nope")
    assert (status, error_of(body)) == (404, "Model with requested name is not found")


def test_routing_errors_and_cors(server):
    status, headers, body = call(server, "GET", "/v2/models/dummy/infer")
    assert (status, error_of(body)) == (406, "Unsupported method")
    status, _, body = call(server, "GET", "/not/a/route")
    assert (status, error_of(body)) == (400, "Invalid request URL")
    status, headers, _ = call(server, "OPTIONS", "/v2/models/dummy/infer")
    assert status == 200
    assert headers["Access-Control-Allow-Origin"] == "*"
    status, _, body = call(server, "DELETE", "/v2/models/dummy")
    assert (status, error_of(body)) == (406, "Unsupported method")


def test_bytes_input_to_numeric_model_is_a_precision_error(server):
    tail = struct.pack("<I", 3) + b"abc"
    document = {
        "inputs": [
            {"name": "b", "shape": [1], "datatype": "BYTES", "parameters": {"binary_data_size": 7}}
        ]
    }
    status, _, body = infer(server, "dummy", document, tail)
    assert status == 400
    assert "Invalid input precision" in error_of(body)


def test_percent_encoded_model_name(server):
    status, _, body = call(server, "GET", "/v2/models/dum%6Dy")
    assert status == 200
    assert json.loads(body)["name"] == "dummy"


def test_chunked_request_body(server):
    document = {"inputs": [{"name": "b", "shape": [1, 10], "datatype": "FP32", "data": [0] * 10}]}
    body = json.dumps(document).encode()
    chunks = iter([body[:7], body[7:30], body[30:]])
    connection = http.client.HTTPConnection("127.0.0.1", server.rest_port, timeout=30)
    try:
        connection.request("POST", "/v2/models/dummy/infer", body=chunks, encode_chunked=True)
        reply = connection.getresponse()
        assert reply.status == 200
        assert json.loads(reply.read())["outputs"][0]["data"] == [1.0] * 10
    finally:
        connection.close()


def test_keep_alive_connection_serves_many_requests(server):
    document = {"inputs": [{"name": "b", "shape": [1, 10], "datatype": "FP32", "data": [2] * 10}]}
    connection = http.client.HTTPConnection("127.0.0.1", server.rest_port, timeout=30)
    try:
        for _ in range(20):
            connection.request("POST", "/v2/models/dummy/infer", body=json.dumps(document))
            reply = connection.getresponse()
            assert reply.status == 200
            assert json.loads(reply.read())["outputs"][0]["data"] == [3.0] * 10
        connection.request("POST", "/v2/models/dummy/infer", body=b"{")
        reply = connection.getresponse()
        assert reply.status == 412
        reply.read()
        connection.request("GET", "/v2/health/ready")
        assert connection.getresponse().status == 200
    finally:
        connection.close()


@pytest.mark.parametrize("path", ["/v2/models/../infer", "/v1/models/%2e%2e/metadata"])
def test_paths_with_dot_dot_escapes_are_refused(server, path):
    status, _, body = call(server, "GET", path)
    assert (status, error_of(body)) == (
        400,
        "The provided base path is invalid or doesn't exists",
    )
