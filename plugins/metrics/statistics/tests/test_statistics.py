"""The statistics extension with tritonclient over HTTP and gRPC, with and without batching.

The server is this module's own, so every count is exact.
"""

import json
import os
import subprocess
import sys

import numpy as np
import pytest

pytest.importorskip("ovms_frontend_grpc")
import tritonclient.http as httpclient
from ovms_testing.models import dummy_model, save_version
from ovms_testing.server import ServerProcess, free_port
from tritonclient.utils import InferenceServerException

CLIENTS = os.path.join(os.path.dirname(__file__), "clients")
PHASES = ("success", "fail", "queue", "compute_input", "compute_infer", "compute_output")
MERGED = 4


@pytest.fixture(scope="module")
def stats_server(tmp_path_factory):
    root = tmp_path_factory.mktemp("stats_models")
    save_version(dummy_model((1, 10)), str(root / "plain"), 1)
    save_version(dummy_model((1, 10)), str(root / "batched"), 1)
    batching = {"max_batch_size": MERGED, "max_queue_delay_us": 1_000_000}
    config = {
        "model_config_list": [
            {"config": {"name": "plain", "base_path": str(root / "plain")}},
            {
                "config": {
                    "name": "batched",
                    "base_path": str(root / "batched"),
                    "nireq": 1,
                    "dynamic_batching": batching,
                }
            },
        ]
    }
    path = root / "config.json"
    path.write_text(json.dumps(config))
    args = ["--config_path", str(path), "--port", str(free_port()), "--warmup_inferences", "0"]
    with ServerProcess(args) as running:
        yield running


def http_infer(client, model, datatype="FP32"):
    tensor = httpclient.InferInput("b", [1, 10], datatype)
    tensor.set_data_from_numpy(np.zeros((1, 10), np.float32 if datatype == "FP32" else np.int32))
    return client.infer(model, [tensor])


def by_name(stats):
    return {entry["name"]: entry for entry in stats["model_stats"]}


def test_counts_and_phases_over_http_and_grpc(stats_server):
    rest = httpclient.InferenceServerClient(f"127.0.0.1:{stats_server.rest_port}")
    before = rest.get_inference_statistics("plain")["model_stats"][0]
    assert before["inference_count"] == 0 and before["last_inference"] == 0
    for _ in range(3):
        http_infer(rest, "plain")
    with pytest.raises(InferenceServerException):
        http_infer(rest, "plain", "INT32")  # wrong datatype: one failure
    stats = rest.get_inference_statistics("plain", "1")["model_stats"][0]
    assert (stats["name"], stats["version"]) == ("plain", "1")
    assert stats["inference_count"] == stats["execution_count"] == 3
    assert stats["last_inference"] > 0
    inference = stats["inference_stats"]
    assert inference["success"]["count"] == 3 and inference["fail"]["count"] == 1
    for phase in PHASES[2:]:
        assert inference[phase]["count"] == 3, phase
    assert inference["compute_infer"]["ns"] > 0
    assert stats["batch_stats"][0]["batch_size"] == 1
    print("plain, per inference:", {p: inference[p]["ns"] // 3 for p in PHASES[2:]}, "ns")

    # tritonclient.grpc in its own process: its stubs clash with the server's.
    url = f"127.0.0.1:{stats_server.grpc_port}"
    done = subprocess.run(
        [sys.executable, os.path.join(CLIENTS, "tritonclient_grpc_stats.py"), url, "plain"],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 0, done.stderr
    seen = json.loads(done.stdout)
    answer, everything = seen["model"], seen["all"]
    assert seen["unknown"] == ["StatusCode.NOT_FOUND", "Model with requested name is not found"]
    entry = answer["model_stats"][0]
    assert int(entry["inference_count"]) == 3 and int(entry["execution_count"]) == 3
    assert int(entry["inference_stats"]["fail"]["count"]) == 1
    assert {"plain", "batched"} <= set(by_name(everything))
    assert set(by_name(rest.get_inference_statistics())) == set(by_name(everything))


def test_merged_requests_count_one_execution(stats_server):
    rest = httpclient.InferenceServerClient(
        f"127.0.0.1:{stats_server.rest_port}", concurrency=MERGED
    )
    tensor = httpclient.InferInput("b", [1, 10], "FP32")
    tensor.set_data_from_numpy(np.zeros((1, 10), np.float32))
    pending = [rest.async_infer("batched", [tensor]) for _ in range(MERGED)]
    for request in pending:
        np.testing.assert_array_equal(request.get_result().as_numpy("a"), np.ones((1, 10)))
    stats = rest.get_inference_statistics("batched")["model_stats"][0]
    print("batched:", stats["inference_count"], "inferences,", stats["execution_count"], "runs")
    assert stats["inference_count"] == MERGED
    assert 1 <= stats["execution_count"] < MERGED
    sizes = {batch["batch_size"] for batch in stats["batch_stats"]}
    assert max(sizes) > 1
    runs = sum(batch["compute_infer"]["count"] for batch in stats["batch_stats"])
    assert runs == stats["execution_count"]


def test_unknown_model_and_version(stats_server):
    rest = httpclient.InferenceServerClient(f"127.0.0.1:{stats_server.rest_port}")
    with pytest.raises(InferenceServerException, match="Model with requested name is not found"):
        rest.get_inference_statistics("nothing")
    with pytest.raises(InferenceServerException, match="requested version is not found"):
        rest.get_inference_statistics("plain", "7")


def test_without_the_plugin_the_endpoint_names_it(tmp_path):
    save_version(dummy_model((1, 10)), str(tmp_path / "plain"), 1)
    args = ["--model_name", "plain", "--model_path", str(tmp_path / "plain")]
    with ServerProcess(args, env={"OVMS_DISABLE_PLUGINS": "kserve"}) as running:
        rest = httpclient.InferenceServerClient(f"127.0.0.1:{running.rest_port}")
        http_infer(rest, "plain")  # serving goes on; nothing is recorded
        with pytest.raises(InferenceServerException) as caught:
            rest.get_inference_statistics("plain")
    assert "pip install ovms-statistics" in str(caught.value)
