"""Real gRPC clients, unmodified, each in its own process: tritonclient.grpc and ovmsclient."""

import importlib.util
import json
import os
import subprocess
import sys

import pytest

CLIENTS = os.path.join(os.path.dirname(__file__), "clients")


def _run(script, server, package):
    # Only look the package up: importing tritonclient.grpc here would clash with our stubs.
    if importlib.util.find_spec(package) is None:
        pytest.skip(f"{package} is not installed")
    done = subprocess.run(
        [sys.executable, os.path.join(CLIENTS, script), f"127.0.0.1:{server.grpc_port}"],
        capture_output=True,
        text=True,
        timeout=180,
    )
    assert done.returncode == 0, done.stderr
    return json.loads(done.stdout)


@pytest.fixture(scope="module")
def triton(server):
    return _run("tritonclient_grpc_session.py", server, "tritonclient")


@pytest.fixture(scope="module")
def ovms(server):
    return _run("ovmsclient_session.py", server, "ovmsclient")


def test_tritonclient_health_and_metadata(triton):
    assert triton["live"] and triton["ready"] and triton["model_ready"]
    assert triton["server"]["name"] == "OpenVINO Model Server"
    metadata = triton["metadata"]
    assert metadata["versions"] == ["1", "2"]
    assert metadata["inputs"] == [{"name": "b", "datatype": "FP32", "shape": ["1", "10"]}]


def test_tritonclient_infer(triton):
    expected = [[0.5 * i + 1 for i in range(10)]]
    assert triton["infer"] == {"a": expected, "id": "triton-1", "version": "1"}
    assert triton["fp16"] == {"a": [[2.0, 3.5, -2.0]], "dtype": "float16"}
    assert triton["bytes"] == ["hello", "world"]
    assert triton["error"]["status"] == "StatusCode.INVALID_ARGUMENT"
    assert triton["error"]["message"].startswith("Invalid input shape - Expected: (1,10)")


def test_tritonclient_stream_infer(triton):
    expected = [[0.5 * i + 1 for i in range(10)]]
    first, second, third = triton["stream"]
    assert first == {"id": "s0", "a": expected}
    assert second == {"error": "Mediapipe graph definition with requested name is not found"}
    assert third == {"id": "s2", "a": expected}


def test_ovmsclient_status_and_metadata(ovms):
    available = {"state": "AVAILABLE", "error_code": 0, "error_message": "OK"}
    assert ovms["status"] == {"1": available, "2": available}  # JSON keys are strings
    assert list(ovms["status_v1"]) == ["1"]
    metadata = ovms["metadata"]
    assert metadata["model_version"] == 2
    assert metadata["inputs"] == {"b": {"shape": [1, 10], "dtype": "DT_FLOAT"}}
    assert metadata["outputs"] == {"a": {"shape": [1, 10], "dtype": "DT_FLOAT"}}


def test_ovmsclient_predict(ovms):
    assert ovms["predict"] == [[float(i + 1) for i in range(10)]]
    assert ovms["predict_v1"] == ovms["predict"]
    assert ovms["predict_int32"] == [[2, 3, 4, 5]]
    assert ovms["predict_fp16"] == [[2.0, 3.5, -2.0]]
    assert ovms["predict_strings"] == ["ab", "cd"]


def test_ovmsclient_errors(ovms):
    errors = ovms["errors"]
    assert errors["unknown_model"]["type"] == "ModelNotFoundError"
    assert "Model with requested name is not found" in errors["unknown_model"]["text"]
    assert "Model with requested version is not found" in errors["unknown_version"]["text"]
    assert errors["bad_shape"]["type"] == "InvalidInputError"
    assert "Invalid input shape" in errors["bad_shape"]["text"]
