"""ovmsclient's HTTP client, unmodified, in its own process against the server."""

import json
import subprocess
import sys

import pytest

pytest.importorskip("ovmsclient")

CLIENT = r"""
import json, sys
import numpy as np
import ovmsclient

client = ovmsclient.make_http_client(sys.argv[1])
out = {}
out["status"] = {str(k): v for k, v in client.get_model_status("dummy").items()}
out["status_v1"] = {str(k): v for k, v in client.get_model_status("dummy", 1).items()}
out["metadata"] = client.get_model_metadata("dummy")
out["metadata_v1"] = client.get_model_metadata("dummy", model_version=1)
values = np.arange(10, dtype=np.float32).reshape(1, 10) * 0.25
out["predict"] = client.predict({"b": values}, "dummy").tolist()
out["predict_v1"] = client.predict({"b": values}, "dummy", model_version=1).tolist()
two = client.predict(
    {"input1": values, "input2": np.ones((1, 10), np.float32)}, "add_two"
)
out["two_inputs"] = two.tolist()
out["int32"] = client.predict({"b": np.array([[1, 2, 3, -4]], np.int32)}, "int32").tolist()
errors = {}
for label, call in [
    ("unknown_model", lambda: client.predict({"b": values}, "nope")),
    ("unknown_version", lambda: client.get_model_status("dummy", 9)),
    ("bad_shape", lambda: client.predict({"b": values[:, :3]}, "dummy")),
    ("metadata_unknown", lambda: client.get_model_metadata("nope")),
]:
    try:
        call()
        errors[label] = None
    except Exception as error:
        errors[label] = [type(error).__name__, str(error)]
out["errors"] = errors
print(json.dumps(out))
"""


@pytest.fixture(scope="module")
def answers(server):
    done = subprocess.run(
        [sys.executable, "-c", CLIENT, f"127.0.0.1:{server.rest_port}"],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 0, done.stderr
    return json.loads(done.stdout)


def test_get_model_status(answers):
    available = {"state": "AVAILABLE", "error_code": 0, "error_message": "OK"}
    assert answers["status"] == {"1": available, "2": available}
    assert answers["status_v1"] == {"1": available}


def test_get_model_metadata(answers):
    tensors = {"inputs": {"b": {"dtype": "DT_FLOAT", "shape": [1, 10]}}}
    tensors["outputs"] = {"a": {"dtype": "DT_FLOAT", "shape": [1, 10]}}
    assert answers["metadata"] == {**tensors, "model_version": 2}
    assert answers["metadata_v1"] == {**tensors, "model_version": 1}


def test_predict(answers):
    expected = [[v * 0.25 + 1 for v in range(10)]]
    assert answers["predict"] == expected
    assert answers["predict_v1"] == expected
    assert answers["two_inputs"] == expected
    assert answers["int32"] == [[2, 3, 4, -3]]


def test_errors(answers):
    prefix = "Error occurred during handling the request: "
    assert answers["errors"] == {
        "unknown_model": ["ModelNotFoundError", prefix + "Model with requested name is not found"],
        "unknown_version": [
            "ModelNotFoundError",
            prefix + "Model with requested version is not found",
        ],
        "bad_shape": [
            "InvalidInputError",
            prefix + "Invalid input shape - Expected: (1,10); Actual: (1,3); input name: b",
        ],
        "metadata_unknown": [
            "ModelNotFoundError",
            prefix + "Model with requested name is not found",
        ],
    }
