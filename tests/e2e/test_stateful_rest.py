"""Stateful models over KServe REST: raw HTTP and tritonclient's sequence parameters."""

import http.client
import json

import numpy as np
import pytest
from ovms_testing.models import running_sum_model, save_version
from ovms_testing.server import ServerProcess

http_client = pytest.importorskip("tritonclient.http")


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    root = tmp_path_factory.mktemp("stateful-rest")
    save_version(running_sum_model(), str(root / "sum"), 1)
    models = [
        {"name": "sum", "base_path": "sum", "stateful": True},
        {"name": "limited", "base_path": "sum", "stateful": True, "max_sequence_number": 2},
    ]
    config = root / "config.json"
    config.write_text(json.dumps({"model_config_list": [{"config": m} for m in models]}))
    with ServerProcess(["--config_path", str(config)]) as running:
        yield running


def post(server, model, document):
    connection = http.client.HTTPConnection("127.0.0.1", server.rest_port, timeout=30)
    try:
        connection.request("POST", f"/v2/models/{model}/infer", json.dumps(document).encode())
        reply = connection.getresponse()
        return reply.status, json.loads(reply.read())
    finally:
        connection.close()


def x_input(value):
    return {"name": "x", "shape": [1, 4], "datatype": "FP32", "data": [value] * 4}


def infer(server, value, model="sum", extra_inputs=(), **parameters):
    document = {"inputs": [x_input(value), *extra_inputs]}
    if parameters:
        document["parameters"] = parameters
    return post(server, model, document)


def total(reply):
    status, body = reply
    assert status == 200, body
    return body["outputs"][0]["data"][0], body["parameters"]["sequence_id"]


def test_interleaved_sequences_with_request_parameters(server):
    assert total(infer(server, 1, sequence_id=11, sequence_start=True)) == (1.0, 11)
    assert total(infer(server, 10, sequence_id=22, sequence_start=True)) == (10.0, 22)
    assert total(infer(server, 2, sequence_id=11)) == (3.0, 11)
    assert total(infer(server, 20, sequence_id=22)) == (30.0, 22)
    assert total(infer(server, 3, sequence_id=11, sequence_end=True)) == (6.0, 11)
    assert total(infer(server, 30, sequence_id=22, sequence_end=True)) == (60.0, 22)
    status, body = infer(server, 1, sequence_id=11)
    assert (status, body) == (404, {"error": "Sequence with provided ID does not exist"})


def test_special_inputs_as_the_tfs_apis_send_them(server):
    def control(value):
        return {
            "name": "sequence_control_input",
            "shape": [1],
            "datatype": "UINT32",
            "data": [value],
        }

    def sequence(value):
        return {"name": "sequence_id", "shape": [1], "datatype": "UINT64", "data": [value]}

    first, chosen = total(infer(server, 5, extra_inputs=[control(1)]))
    assert first == 5.0 and chosen > 0
    assert total(infer(server, 5, extra_inputs=[sequence(chosen)])) == (10.0, chosen)
    ended = infer(server, 5, extra_inputs=[sequence(chosen), control(2)])
    assert total(ended) == (15.0, chosen)


@pytest.mark.parametrize(
    ("parameters", "status", "message"),
    [
        ({}, 400, "Sequence ID has not been provided in request inputs"),
        ({"sequence_id": 404}, 404, "Sequence with provided ID does not exist"),
        ({"sequence_end": True}, 400, "Sequence ID has not been provided in request inputs"),
        (
            {"sequence_id": -3},
            400,
            "Could not find sequence id in expected tensor proto field uint64_val - parameter "
            "sequence_id must be an unsigned 64-bit integer",
        ),
        (
            {"sequence_id": 3, "sequence_start": "yes"},
            400,
            "Unexpected value of sequence control input - "
            "parameter sequence_start must be a boolean",
        ),
    ],
)
def test_sequence_errors(server, parameters, status, message):
    assert infer(server, 1, **parameters) == (status, {"error": message})


def test_duplicate_start_and_sequence_limit(server):
    def start(sequence_id):
        return infer(server, 1, model="limited", sequence_id=sequence_id, sequence_start=True)

    assert total(start(7)) == (1.0, 7)
    assert start(7) == (409, {"error": "Sequence with provided ID already exists"})
    assert total(start(8)) == (1.0, 8)
    assert start(9) == (
        503,
        {"error": "Max sequence number has been reached. Could not create new sequence."},
    )
    assert total(infer(server, 1, model="limited", sequence_id=7, sequence_end=True)) == (2.0, 7)
    assert total(start(9)) == (1.0, 9)


def test_special_input_shape_and_type_errors(server):
    no_shape = {"name": "sequence_id", "shape": [], "datatype": "UINT64", "data": [1]}
    assert infer(server, 1, extra_inputs=[no_shape]) == (
        400,
        {"error": "Special input proto does not contain tensor shape information"},
    )
    wrong_type = {"name": "sequence_id", "shape": [1], "datatype": "INT64", "data": [1]}
    assert infer(server, 1, extra_inputs=[wrong_type]) == (
        400,
        {"error": "Could not find sequence id in expected tensor proto field uint64_val"},
    )
    bad_control = {
        "name": "sequence_control_input",
        "shape": [1],
        "datatype": "UINT32",
        "data": [7],
    }
    assert infer(server, 1, extra_inputs=[bad_control]) == (
        400,
        {"error": "Unexpected value of sequence control input"},
    )


def test_tritonclient_sequences(server):
    client = http_client.InferenceServerClient(f"127.0.0.1:{server.rest_port}")
    try:

        def send(value, **sequence):
            tensor = http_client.InferInput("x", [1, 4], "FP32")
            tensor.set_data_from_numpy(np.full((1, 4), value, np.float32))
            result = client.infer("sum", [tensor], **sequence)
            return float(result.as_numpy("sum")[0, 0]), result.get_response()["parameters"]

        assert send(1, sequence_id=1001, sequence_start=True) == (1.0, {"sequence_id": 1001})
        assert send(7, sequence_id=1002, sequence_start=True)[0] == 7.0
        assert send(2, sequence_id=1001)[0] == 3.0
        assert send(7, sequence_id=1002)[0] == 14.0
        assert send(3, sequence_id=1001, sequence_end=True)[0] == 6.0
        assert send(7, sequence_id=1002, sequence_end=True)[0] == 21.0
        with pytest.raises(http_client.InferenceServerException) as caught:
            send(1, sequence_id=1001)
        assert "Sequence with provided ID does not exist" in str(caught.value)
        with pytest.raises(http_client.InferenceServerException) as caught:
            send(1)
        assert "Sequence ID has not been provided" in str(caught.value)
    finally:
        client.close()
