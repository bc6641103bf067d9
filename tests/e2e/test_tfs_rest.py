"""TensorFlow-Serving REST end to end: `ovms serve` in a subprocess, real HTTP over loopback."""

import base64
import http.client
import json

import pytest

ROW = list(range(10))
PLUS_ONE = [float(v + 1) for v in ROW]


def call(server, method, path, body=None):
    connection = http.client.HTTPConnection("127.0.0.1", server.rest_port, timeout=30)
    try:
        payload = body if body is None or isinstance(body, bytes) else json.dumps(body).encode()
        connection.request(method, path, body=payload)
        reply = connection.getresponse()
        return reply.status, reply.read()
    finally:
        connection.close()


def predict(server, model, document, version=None):
    path = f"/v1/models/{model}" + (f"/versions/{version}" if version is not None else "")
    status, body = call(server, "POST", path + ":predict", document)
    return status, json.loads(body)


# -- model status -----------------------------------------------------------------------------


def statuses(body):
    return [
        (s["version"], s["state"], s["status"]["error_code"], s["status"]["error_message"])
        for s in json.loads(body)["model_version_status"]
    ]


def test_model_status(server):
    status, body = call(server, "GET", "/v1/models/dummy")
    assert status == 200
    assert statuses(body) == [("1", "AVAILABLE", "OK", "OK"), ("2", "AVAILABLE", "OK", "OK")]
    assert body.startswith(b'{\n "model_version_status": [\n  {\n   "version": "1",')
    assert statuses(call(server, "GET", "/v1/models/dummy/versions/0")[1]) == statuses(body)
    assert statuses(call(server, "GET", "/v1/models/dummy/versions/2")[1]) == [
        ("2", "AVAILABLE", "OK", "OK")
    ]
    assert statuses(call(server, "GET", "/v1/models/dummy/labels/stable")[1]) == statuses(body)
    assert statuses(call(server, "GET", "/v1/models/broken")[1]) == [
        ("1", "LOADING", "UNKNOWN", "UNKNOWN")
    ]


@pytest.mark.parametrize(
    ("path", "error"),
    [
        ("/v1/models", "Model with requested name is not found"),
        ("/v1/models/nope", "Model with requested name is not found"),
        ("/v1/models/dummy/versions/9", "Model with requested version is not found"),
        (
            "/v1/models/dummy/versions/99999999999999999999",
            "Model with requested version is not found",
        ),
        ("/v1/models/nope/metadata", "Model with requested name is not found"),
        ("/v1/models/dummy/versions/9/metadata", "Model with requested version is not found"),
        ("/v1/models/broken/metadata", "Model with requested version is not found"),
        ("/v1/models/broken/versions/1/metadata", "Model with requested version is not loaded yet"),
    ],
)
def test_status_and_metadata_errors(server, path, error):
    status, body = call(server, "GET", path)
    assert (status, json.loads(body)) == (404, {"error": error})


# -- model metadata ---------------------------------------------------------------------------


def tensor(name, dtype, *dims):
    shape = {"dim": [{"size": str(d), "name": ""} for d in dims], "unknownRank": False}
    return {name: {"dtype": dtype, "tensorShape": shape, "name": name}}


def test_model_metadata(server):
    status, body = call(server, "GET", "/v1/models/dummy/versions/1/metadata")
    assert status == 200
    assert json.loads(body) == {
        "modelSpec": {"name": "dummy", "signatureName": "", "version": "1"},
        "metadata": {
            "signature_def": {
                "@type": "type.googleapis.com/tensorflow.serving.SignatureDefMap",
                "signatureDef": {
                    "serving_default": {
                        "inputs": tensor("b", "DT_FLOAT", 1, 10),
                        "outputs": tensor("a", "DT_FLOAT", 1, 10),
                        "methodName": "",
                        "defaults": {},
                    }
                },
            }
        },
    }
    default = json.loads(call(server, "GET", "/v1/models/dummy/versions/0/metadata")[1])
    assert default["modelSpec"]["version"] == "2"
    dynamic = json.loads(call(server, "GET", "/v1/models/dynamic/metadata")[1])
    inputs = dynamic["metadata"]["signature_def"]["signatureDef"]["serving_default"]["inputs"]
    assert inputs == tensor("b", "DT_FLOAT", -1, 10)
    typed = json.loads(call(server, "GET", "/v1/models/int32/metadata")[1])
    outputs = typed["metadata"]["signature_def"]["signatureDef"]["serving_default"]["outputs"]
    assert outputs == tensor("a", "DT_INT32", 1, 4)


# -- predict: the format matrix with exact values ----------------------------------------------


@pytest.mark.parametrize(
    ("document", "key"),
    [
        ({"instances": [{"b": ROW}]}, "predictions"),
        ({"instances": [ROW]}, "predictions"),
        ({"inputs": {"b": [ROW]}}, "outputs"),
        ({"inputs": [ROW]}, "outputs"),
    ],
    ids=["row-named", "row-noname", "column-named", "column-noname"],
)
def test_predict_formats(server, document, key):
    assert predict(server, "dummy", document) == (200, {key: [PLUS_ONE]})
    assert predict(server, "dummy", document, version=1) == (200, {key: [PLUS_ONE]})
    assert predict(server, "dummy", document, version=0) == (200, {key: [PLUS_ONE]})


def test_row_instances_are_batch_rows(server):
    instances = [{"b": [i] * 10} for i in range(3)]
    assert predict(server, "dynamic", {"instances": instances}) == (
        200,
        {"predictions": [[float(i + 1)] * 10 for i in range(3)]},
    )


def test_two_inputs_named_in_both_formats(server):
    x, y = [1, 2, 3, 4, 5, 6, 7, 8, 9, 10], [0.5] * 10
    expected = [[v + 0.5 for v in x]]
    column = {"inputs": {"input1": [x], "input2": [y]}}
    assert predict(server, "add_two", column) == (200, {"outputs": expected})
    row = {"instances": [{"input1": x, "input2": y}]}
    assert predict(server, "add_two", row) == (200, {"predictions": expected})


def test_numbers_take_the_input_precision(server):
    # int32 model: floats are truncated, as OVMS does
    assert predict(server, "int32", {"inputs": [[1.7, -2.9, 3, 4]]}) == (
        200,
        {"outputs": [[2, -1, 4, 5]]},
    )
    assert predict(server, "fp16", {"instances": [[0.5, -1, 2.25]]}) == (
        200,
        {"predictions": [[1.5, 0.0, 3.25]]},
    )


def test_several_outputs(metrics_server):
    rows = [[1, 5, 2], [-1, -2, -3]]
    status, body = predict(metrics_server, "two_outputs", {"instances": rows})
    assert status == 200
    assert body == {
        "predictions": [
            {"plus_one": [2.0, 6.0, 3.0], "biggest": 5},
            {"plus_one": [0.0, -1.0, -2.0], "biggest": -1},
        ]
    }
    status, body = predict(metrics_server, "two_outputs", {"inputs": {"x": rows}})
    assert body == {
        "outputs": {"plus_one": [[2.0, 6.0, 3.0], [0.0, -1.0, -2.0]], "biggest": [5, -1]}
    }


def test_inputs_the_model_lacks_are_dropped(server):
    document = {"inputs": {"b": [ROW], "unused": [[1, 2]]}}
    assert predict(server, "dummy", document) == (200, {"outputs": [PLUS_ONE]})


def test_b64_values_reach_validation_as_strings(server):
    image = {"b64": base64.b64encode(b"\x89PNG not really").decode()}
    assert predict(server, "dummy", {"instances": [{"b": image}]}) == (
        400,
        {"error": "Invalid input precision - Expected: FP32; Actual: DT_STRING; input name: b"},
    )


# -- predict errors: OVMS status and message; the server keeps serving ---------------------------

BAD = [
    ("dummy", b"[1, 2]", 400, "Request body should be JSON object"),
    ("dummy", b"{}", 400, "Invalid JSON structure. Could not detect row or column format"),
    (
        "dummy",
        {"instances": [ROW], "inputs": [ROW]},
        400,
        "Invalid JSON structure. Could not detect row or column format",
    ),
    ("dummy", {"instances": {}}, 400, "Invalid JSON structure. Nonamed instance is not an array."),
    ("dummy", {"instances": []}, 400, "Invalid JSON structure. Missing instances in row format"),
    (
        "dummy",
        {"instances": [{"b": ROW}, ROW]},
        400,
        "Invalid JSON structure. One of named instances is not a JSON object.",
    ),
    ("dummy", {"instances": [None]}, 400, "Could not detect neither named or nonamed format"),
    (
        "dummy",
        {"instances": [{"b": ROW}, {"b": ROW[:3]}]},
        400,
        "Could not parse instance content. Not valid ndarray detected",
    ),
    (
        "add_two",
        {"instances": [{"input1": ROW, "input2": ROW}, {"input1": ROW}]},
        400,
        "Invalid JSON structure. Request inputs have different batch sizes",
    ),
    ("add_two", {"inputs": [ROW]}, 400, "Inputs inside buffer does not match expected format."),
    (
        "dummy",
        {"inputs": "text"},
        400,
        "Invalid JSON structure. One of inputs is not a JSON object.",
    ),
    ("dummy", {"inputs": {}}, 400, "Invalid JSON structure, missing inputs"),
    (
        "dummy",
        {"inputs": {"b": [[1, 2], [3]]}},
        400,
        "Could not parse input content. Not valid ndarray detected",
    ),
    (
        "dummy",
        {"inputs": {"b": [["one", 2]]}},
        400,
        "Could not parse input content. Not valid ndarray detected",
    ),
    (
        "dummy",
        {"inputs": {"b": [{"b64": "%%%"}]}},
        400,
        "Could not parse input content. Not valid ndarray detected",
    ),
    ("dummy", {"inputs": {"x": [ROW]}}, 400, "Invalid number of inputs - Expected: 1; Actual: 0"),
    (
        "dummy",
        {"inputs": {"b": [[0, 1, 2]]}},
        400,
        "Invalid input shape - Expected: (1,10); Actual: (1,3); input name: b",
    ),
    (
        "dummy",
        {"inputs": {"b": ROW}},
        400,
        "Invalid number of shape dimensions - Expected: (1,10); Actual: (10); input name: b",
    ),
    ("dummy", b"[" * 5000 + b"]" * 5000, 400, "JSON nesting depth exceeds the allowed limit"),
    ("nope", {"inputs": [ROW]}, 404, "Model with requested name is not found"),
    ("nope", b"not json at all", 404, "Model with requested name is not found"),
]


@pytest.mark.parametrize(("model", "document", "status", "error"), BAD)
def test_bad_requests(server, model, document, status, error):
    assert predict(server, model, document) == (status, {"error": error})


def test_malformed_json_is_412_with_the_position(server):
    status, body = predict(server, "dummy", b'{"inputs": [[1, 2,')
    assert status == 412
    assert body["error"].startswith("The file is not valid json - Error: ")
    assert body["error"].endswith("Offset: 18")


def test_version_errors(server):
    assert predict(server, "dummy", {"inputs": [ROW]}, version=9) == (
        404,
        {"error": "Model with requested version is not found"},
    )
    assert predict(server, "broken", {"inputs": [ROW]}) == (
        404,
        {"error": "Model with requested version is not found"},
    )


@pytest.mark.parametrize(
    ("method", "path", "status", "error"),
    [
        ("GET", "/v1/models/dummy:predict", 406, "Unsupported method"),
        ("POST", "/v1/models/dummy", 406, "Unsupported method"),
        ("POST", "/v1/models/dummy/metadata", 406, "Unsupported method"),
        ("PUT", "/v1/models/dummy:predict", 406, "Unsupported method"),
        ("POST", "/v1/models/dummy:classify", 404, "Requested REST resource not found"),
        ("POST", "/v1/models/dummy:regress", 404, "Requested REST resource not found"),
        ("POST", "/v1/models/dummy:explain", 400, "Invalid request URL"),
        ("GET", "/v1/modelz/dummy", 400, "Invalid request URL"),
        ("GET", "/metrics", 400, "Invalid request URL"),
    ],
)
def test_routing(server, method, path, status, error):
    got_status, body = call(server, method, path, b"{}" if method != "GET" else None)
    assert (got_status, json.loads(body)) == (status, {"error": error})


def test_still_serving_after_bad_requests(server):
    for _, document, _, _ in BAD:
        predict(server, "dummy", document)
    assert predict(server, "dummy", {"inputs": [ROW]}) == (200, {"outputs": [PLUS_ONE]})
