"""Stateful models over the TF-Serving APIs (gRPC stubs, REST JSON) and KServe gRPC.

The server runs in its own process; tritonclient.grpc runs in another one (its stubs clash with
the project's), see ``clients/tritonclient_grpc_sequences.py``.
"""

import http.client
import importlib.util
import json
import os
import subprocess
import sys

import grpc
import numpy as np
import pytest
from ovms_testing.models import running_sum_model, save_version
from ovms_testing.server import ServerProcess, free_port

pytest.importorskip("ovms_frontend_grpc")
from ovms_frontend_grpc._generated.tensorflow.core.framework import types_pb2
from ovms_frontend_grpc._generated.tensorflow_serving.apis import (
    predict_pb2,
    prediction_service_pb2_grpc,
)

CLIENTS = os.path.join(os.path.dirname(__file__), "clients")
NOT_PROVIDED = "Sequence ID has not been provided in request inputs"
MISSING = "Sequence with provided ID does not exist"
EXISTS = "Sequence with provided ID already exists"
LIMIT = "Max sequence number has been reached. Could not create new sequence."


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    root = tmp_path_factory.mktemp("stateful-tfs")
    save_version(running_sum_model(), str(root / "sum"), 1)
    models = [
        {"name": "sum", "base_path": "sum", "stateful": True},
        {"name": "limited", "base_path": "sum", "stateful": True, "max_sequence_number": 2},
    ]
    config = root / "config.json"
    config.write_text(json.dumps({"model_config_list": [{"config": m} for m in models]}))
    with ServerProcess(["--config_path", str(config), "--port", str(free_port())]) as running:
        yield running


@pytest.fixture(scope="module")
def predict(server):
    with grpc.insecure_channel(f"127.0.0.1:{server.grpc_port}") as channel:
        yield prediction_service_pb2_grpc.PredictionServiceStub(channel).Predict


def grpc_request(value, model="sum", sequence_id=None, control=None):
    request = predict_pb2.PredictRequest()
    request.model_spec.name = model
    x = request.inputs["x"]
    x.dtype = types_pb2.DT_FLOAT
    x.tensor_shape.dim.add(size=1)
    x.tensor_shape.dim.add(size=4)
    x.tensor_content = np.full((1, 4), value, np.float32).tobytes()
    if sequence_id is not None:
        special = request.inputs["sequence_id"]
        special.dtype = types_pb2.DT_UINT64
        special.tensor_shape.dim.add(size=1)
        special.uint64_val.append(sequence_id)
    if control is not None:
        special = request.inputs["sequence_control_input"]
        special.dtype = types_pb2.DT_UINT32
        special.tensor_shape.dim.add(size=1)
        special.uint32_val.append(control)
    return request


def grpc_total(response):
    total = np.frombuffer(response.outputs["sum"].tensor_content, np.float32)
    sequence = response.outputs["sequence_id"]
    assert sequence.dtype == types_pb2.DT_UINT64
    assert [d.size for d in sequence.tensor_shape.dim] == [1]
    return float(total[0]), list(sequence.uint64_val)


def grpc_error(predict, request):
    with pytest.raises(grpc.RpcError) as caught:
        predict(request)
    return caught.value.code(), caught.value.details()


def test_grpc_interleaved_sequences(predict):
    big = 2**64 - 5  # beyond int64: the full uint64 range
    assert grpc_total(predict(grpc_request(1, sequence_id=101, control=1))) == (1.0, [101])
    assert grpc_total(predict(grpc_request(10, sequence_id=big, control=1))) == (10.0, [big])
    assert grpc_total(predict(grpc_request(2, sequence_id=101))) == (3.0, [101])
    assert grpc_total(predict(grpc_request(20, sequence_id=big))) == (30.0, [big])
    assert grpc_total(predict(grpc_request(3, sequence_id=101, control=2))) == (6.0, [101])
    assert grpc_total(predict(grpc_request(30, sequence_id=big, control=2))) == (60.0, [big])
    assert grpc_error(predict, grpc_request(1, sequence_id=101)) == (
        grpc.StatusCode.NOT_FOUND,
        MISSING,
    )


def test_grpc_concurrent_requests_of_several_sequences(predict):
    """All requests in flight at once: each sequence's total misses none of its updates."""
    sequences = {401: 1.0, 402: 10.0, 403: 100.0}
    for sequence_id in sequences:
        assert grpc_total(predict(grpc_request(0, sequence_id=sequence_id, control=1)))[0] == 0
    calls = [
        predict.future(grpc_request(value, sequence_id=sequence_id))
        for _ in range(8)
        for sequence_id, value in sequences.items()
    ]
    for call in calls:
        call.result(timeout=60)
    for sequence_id, value in sequences.items():
        end = grpc_request(value, sequence_id=sequence_id, control=2)
        assert grpc_total(predict(end)) == (9 * value, [sequence_id])


def test_grpc_server_chosen_sequence_id(predict):
    first, (chosen,) = grpc_total(predict(grpc_request(4, control=1)))
    assert first == 4.0 and chosen > 0
    assert grpc_total(predict(grpc_request(4, sequence_id=chosen))) == (8.0, [chosen])
    assert grpc_total(predict(grpc_request(4, sequence_id=chosen, control=2))) == (12.0, [chosen])


def test_grpc_duplicate_start_and_sequence_limit(predict):
    def start(sequence_id):
        return grpc_request(1, model="limited", sequence_id=sequence_id, control=1)

    assert grpc_total(predict(start(7))) == (1.0, [7])
    assert grpc_error(predict, start(7)) == (grpc.StatusCode.ALREADY_EXISTS, EXISTS)
    assert grpc_total(predict(start(8))) == (1.0, [8])
    assert grpc_error(predict, start(9)) == (grpc.StatusCode.UNAVAILABLE, LIMIT)
    end = grpc_request(1, model="limited", sequence_id=7, control=2)
    assert grpc_total(predict(end)) == (2.0, [7])
    assert grpc_total(predict(start(9))) == (1.0, [9])


def _wrong_id_field():
    request = grpc_request(1)
    special = request.inputs["sequence_id"]
    special.dtype = types_pb2.DT_UINT64
    special.tensor_shape.dim.add(size=1)
    special.int64_val.append(5)  # the id in the wrong field
    return request


def _wrong_control_type():
    request = grpc_request(1, sequence_id=5)
    special = request.inputs["sequence_control_input"]
    special.dtype = types_pb2.DT_INT32
    special.tensor_shape.dim.add(size=1)
    special.int_val.append(1)
    return request


def _no_shape():
    request = grpc_request(1)
    special = request.inputs["sequence_id"]
    special.dtype = types_pb2.DT_UINT64
    special.uint64_val.append(5)
    return request


def _two_ids():
    request = grpc_request(1)
    special = request.inputs["sequence_id"]
    special.dtype = types_pb2.DT_UINT64
    special.tensor_shape.dim.add(size=2)
    special.uint64_val.extend([5, 6])
    return request


@pytest.mark.parametrize(
    ("make", "code", "message"),
    [
        (lambda: grpc_request(1), grpc.StatusCode.INVALID_ARGUMENT, NOT_PROVIDED),
        (lambda: grpc_request(1, control=2), grpc.StatusCode.INVALID_ARGUMENT, NOT_PROVIDED),
        (lambda: grpc_request(1, sequence_id=404), grpc.StatusCode.NOT_FOUND, MISSING),
        (
            lambda: grpc_request(1, sequence_id=5, control=7),
            grpc.StatusCode.INVALID_ARGUMENT,
            "Unexpected value of sequence control input",
        ),
        (
            _wrong_id_field,
            grpc.StatusCode.INVALID_ARGUMENT,
            "Could not find sequence id in expected tensor proto field uint64_val",
        ),
        (
            _wrong_control_type,
            grpc.StatusCode.INVALID_ARGUMENT,
            "Could not find sequence control input in expected tensor proto field uint32_val",
        ),
        (
            _no_shape,
            grpc.StatusCode.INVALID_ARGUMENT,
            "Special input proto does not contain tensor shape information",
        ),
        (
            _two_ids,
            grpc.StatusCode.INVALID_ARGUMENT,
            "Invalid input shape - Required shape for sequence_id is: (1)",
        ),
    ],
)
def test_grpc_sequence_errors(predict, make, code, message):
    assert grpc_error(predict, make()) == (code, message)
    assert grpc_total(predict(grpc_request(1, sequence_id=55, control=1)))[0] == 1.0  # serving
    assert grpc_total(predict(grpc_request(1, sequence_id=55, control=2)))[0] == 2.0


def rest(server, model, document):
    connection = http.client.HTTPConnection("127.0.0.1", server.rest_port, timeout=30)
    try:
        connection.request("POST", f"/v1/models/{model}:predict", json.dumps(document).encode())
        reply = connection.getresponse()
        return reply.status, json.loads(reply.read())
    finally:
        connection.close()


def column(value, **special):
    return {"inputs": {"x": [[value] * 4], **{k: [v] for k, v in special.items()}}}


def rest_total(reply):
    status, body = reply
    assert status == 200, body
    outputs = body["outputs"]
    return outputs["sum"][0][0], outputs["sequence_id"]


def test_rest_interleaved_sequences_in_the_column_format(server):
    big = 2**64 - 7
    start = {"sequence_control_input": 1}
    assert rest_total(rest(server, "sum", column(1, sequence_id=201, **start))) == (1.0, [201])
    assert rest_total(rest(server, "sum", column(10, sequence_id=big, **start))) == (10.0, [big])
    assert rest_total(rest(server, "sum", column(2, sequence_id=201))) == (3.0, [201])
    assert rest_total(rest(server, "sum", column(20, sequence_id=big))) == (30.0, [big])
    end = {"sequence_control_input": 2}
    assert rest_total(rest(server, "sum", column(3, sequence_id=201, **end))) == (6.0, [201])
    assert rest_total(rest(server, "sum", column(30, sequence_id=big, **end))) == (60.0, [big])
    assert rest(server, "sum", column(1, sequence_id=201)) == (404, {"error": MISSING})


def test_rest_row_format_and_server_chosen_id(server):
    def row(value, **special):
        return {"instances": [{"x": [value] * 4, **special}]}

    status, body = rest(server, "sum", row(5, sequence_control_input=1))
    assert status == 200, body
    (prediction,) = body["predictions"]
    chosen = prediction["sequence_id"]
    assert prediction["sum"] == [5.0] * 4 and chosen > 0
    status, body = rest(server, "sum", row(5, sequence_id=chosen, sequence_control_input=2))
    assert (status, body) == (200, {"predictions": [{"sum": [10.0] * 4, "sequence_id": chosen}]})


@pytest.mark.parametrize(
    ("special", "status", "message"),
    [
        ({}, 400, NOT_PROVIDED),
        ({"sequence_id": [404]}, 404, MISSING),
        (
            {"sequence_id": [5], "sequence_control_input": [7]},
            400,
            "Unexpected value of sequence control input",
        ),
        ({"sequence_id": [-1]}, 400, "Could not parse input content. Not valid ndarray detected"),
        ({"sequence_id": 5}, 400, "Special input proto does not contain tensor shape information"),
        (
            {"sequence_control_input": [[1]]},
            400,
            "Invalid number of shape dimensions - "
            "Required shape for sequence_control_input is: (1)",
        ),
    ],
)
def test_rest_sequence_errors(server, special, status, message):
    document = {"inputs": {"x": [[1] * 4], **special}}
    assert rest(server, "sum", document) == (status, {"error": message})
    assert rest_total(rest(server, "sum", column(1, sequence_id=66, sequence_control_input=1)))
    assert rest_total(rest(server, "sum", column(1, sequence_id=66, sequence_control_input=2)))


def test_rest_duplicate_start_and_sequence_limit(server):
    def start(sequence_id):
        return rest(server, "limited", column(1, sequence_id=sequence_id, sequence_control_input=1))

    # The gRPC limit test may have left sequences 8 and 9 open: end them first.
    for sequence_id in (8, 9):
        rest(server, "limited", column(0, sequence_id=sequence_id, sequence_control_input=2))
    assert rest_total(start(17)) == (1.0, [17])
    assert start(17) == (409, {"error": EXISTS})
    assert rest_total(start(18)) == (1.0, [18])
    assert start(19) == (503, {"error": LIMIT})


def test_tritonclient_grpc_sequences(server):
    if importlib.util.find_spec("tritonclient") is None:
        pytest.skip("tritonclient is not installed")
    script = os.path.join(CLIENTS, "tritonclient_grpc_sequences.py")
    done = subprocess.run(
        [sys.executable, script, f"127.0.0.1:{server.grpc_port}"],
        capture_output=True,
        text=True,
        timeout=180,
    )
    assert done.returncode == 0, done.stderr
    seen = json.loads(done.stdout)
    assert seen["totals"] == [
        [1.0, 301],
        [7.0, 302],
        [3.0, 301],
        [14.0, 302],
        [6.0, 301],
        [21.0, 302],
    ]
    assert seen["after_end"] == ["StatusCode.NOT_FOUND", MISSING]
    assert seen["no_id"] == ["StatusCode.INVALID_ARGUMENT", NOT_PROVIDED]
    assert seen["duplicate"] == ["StatusCode.ALREADY_EXISTS", EXISTS]
    assert seen["single"] == [[5.0, 303], [5.0, 303]]
