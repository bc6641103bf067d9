"""The model repository extension over REST with tritonclient: index, load, unload."""

import importlib.util
import json
import os
import subprocess
import sys
import urllib.request

import numpy as np
import pytest
import tritonclient.http as httpclient
from ovms_testing.models import dummy_model, save_version
from ovms_testing.server import ServerProcess, free_port
from tritonclient.utils import InferenceServerException

CLIENTS = os.path.join(os.path.dirname(__file__), "clients")


@pytest.fixture(scope="module")
def folders(tmp_path_factory):
    root = tmp_path_factory.mktemp("repository")
    save_version(dummy_model((1, 10)), str(root / "repo" / "configured"), 1)
    save_version(dummy_model((-1, 10)), str(root / "repo" / "extra"), 1)
    config = {
        "model_config_list": [
            {"config": {"name": "configured", "base_path": str(root / "repo" / "configured")}}
        ]
    }
    (root / "config.json").write_text(json.dumps(config))
    return root


@pytest.fixture(scope="module")
def controlled(folders):
    args = ["--config_path", str(folders / "config.json"), "--port", str(free_port())]
    args += ["--model_repository_path", str(folders / "repo"), "--allow_model_control"]
    with ServerProcess(args) as running:
        yield running


def client(server):
    return httpclient.InferenceServerClient(f"127.0.0.1:{server.rest_port}")


def infer(rest, model, rows=1):
    tensor = httpclient.InferInput("b", [rows, 10], "FP32")
    tensor.set_data_from_numpy(np.zeros((rows, 10), np.float32))
    return rest.infer(model, [tensor]).as_numpy("a")


def test_index_lists_configured_and_repository_models(controlled):
    rest = client(controlled)
    index = {entry["name"]: entry for entry in rest.get_model_repository_index()}
    assert index["configured"]["state"] == "READY" and index["configured"]["version"] == "1"
    assert index["extra"]["state"] == "UNAVAILABLE"
    request = urllib.request.Request(
        f"{controlled.rest_url}/v2/repository/index", data=b'{"ready": true}', method="POST"
    )
    with urllib.request.urlopen(request, timeout=10) as answer:
        assert [e["name"] for e in json.load(answer)] == ["configured"]


def test_index_over_grpc(controlled):
    pytest.importorskip("ovms_frontend_grpc")
    # tritonclient.grpc in its own process: its stubs clash with the server's.
    script = os.path.join(CLIENTS, "tritonclient_grpc_index.py")
    done = subprocess.run(
        [sys.executable, script, f"127.0.0.1:{controlled.grpc_port}"],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 0, done.stderr
    models = {entry["name"]: entry for entry in json.loads(done.stdout)["models"]}
    assert models["configured"]["state"] == "READY"
    assert models["extra"]["state"] == "UNAVAILABLE"


def grpc_control(server, model):
    pytest.importorskip("ovms_frontend_grpc")
    script = os.path.join(CLIENTS, "tritonclient_grpc_control.py")
    done = subprocess.run(
        [sys.executable, script, f"127.0.0.1:{server.grpc_port}", model],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 0, done.stderr
    return json.loads(done.stdout)


def test_load_and_unload_over_grpc(controlled):
    answers = grpc_control(controlled, "extra")
    assert answers["load"] is None and answers["ready_after_load"] is True
    assert answers["load_override"] is None and answers["shape_after_override"] == ["2", "10"]
    assert "Invalid model configuration" in answers["bad_override"]["error"]
    assert answers["bad_override"]["status"] == "StatusCode.INVALID_ARGUMENT"
    assert answers["unload"] is None and answers["ready_after_unload"] is False
    assert answers["unknown"]["error"] == "Model with requested name is not found"
    assert answers["unknown"]["status"] == "StatusCode.NOT_FOUND"


def test_load_and_unload_a_repository_model(controlled):
    rest = client(controlled)
    rest.load_model("extra")
    assert rest.is_model_ready("extra")
    np.testing.assert_array_equal(infer(rest, "extra", 3), np.ones((3, 10)))
    rest.unload_model("extra")
    assert not rest.is_model_ready("extra")
    with pytest.raises(InferenceServerException):
        infer(rest, "extra")


def test_an_unloaded_model_stays_unloaded_across_a_config_reload(controlled):
    rest = client(controlled)
    rest.unload_model("configured")
    assert not rest.is_model_ready("configured")
    request = urllib.request.Request(f"{controlled.rest_url}/v1/config/reload", method="POST")
    with urllib.request.urlopen(request, timeout=60) as answer:
        assert answer.status == 200
    assert not rest.is_model_ready("configured")
    states = {e["name"]: e for e in rest.get_model_repository_index()}
    assert states["configured"]["state"] == "UNAVAILABLE"
    rest.load_model("configured")
    assert rest.is_model_ready("configured")
    np.testing.assert_array_equal(infer(rest, "configured"), np.ones((1, 10)))


def test_load_with_a_config_override(controlled):
    rest = client(controlled)
    rest.load_model("extra", config=json.dumps({"shape": "(2,10)"}))
    assert rest.get_model_metadata("extra")["inputs"][0]["shape"] == [2, 10]
    rest.unload_model("extra")
    with pytest.raises(InferenceServerException, match="Invalid model configuration"):
        rest.load_model("extra", config=json.dumps({"nireq": "four"}))


def test_unknown_model(controlled):
    with pytest.raises(InferenceServerException, match="Model with requested name is not found"):
        client(controlled).load_model("nothing")


def test_model_control_is_off_by_default(folders):
    args = ["--config_path", str(folders / "config.json"), "--port", str(free_port())]
    with ServerProcess(args) as server:
        rest = client(server)
        for call in (rest.load_model, rest.unload_model):
            with pytest.raises(InferenceServerException, match="--allow_model_control"):
                call("configured")
        assert rest.is_model_ready("configured")
        if server.grpc_port and importlib.util.find_spec("ovms_frontend_grpc"):
            answers = grpc_control(server, "configured")
            assert answers["load"]["status"] == "StatusCode.PERMISSION_DENIED"
            assert "--allow_model_control" in answers["unload"]["error"]
            assert answers["ready_after_unload"] is True
