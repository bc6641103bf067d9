"""Pipelines with custom nodes in a running server, over KServe REST with tritonclient."""

import json
import urllib.error
import urllib.request

import numpy as np
import pytest
import tritonclient.http as http
from ovms_testing.models import dummy_model, save_version
from ovms_testing.server import ServerProcess
from tritonclient.utils import InferenceServerException

MALFORMED = {
    "null_outputs": "Custom node library has returned corrupted outputs handle",
    "zero_count": "Custom node library has produced corrupted number of outputs",
    "no_name": "Custom node output is missing name",
    "unspecified": "Custom node has produced tensor with unspecified precision",
    "bad_size": "Custom node output has invalid content size",
    "missing_output": "Custom node output is missing",
    "wrong_shape": "Custom node has produced tensor with not matching shape",
    "wrong_precision": "Custom node has produced tensor with unspecified precision",
}


def _node(name, library, source, output, alias, **extra):
    entry = {
        "name": name,
        "type": "custom",
        "library_name": library,
        "inputs": [{"input": {"node_name": source[0], "data_item": source[1]}}],
        "outputs": [{"data_item": output, "alias": alias}],
    }
    entry.update(extra)
    return entry


def _model(name, source):
    return {
        "name": name,
        "type": "DL model",
        "model_name": "dummy",
        "inputs": [{"b": {"node_name": source[0], "data_item": source[1]}}],
        "outputs": [{"data_item": "a", "alias": "a"}],
    }


def _pipeline(name, nodes, output, **extra):
    entry = {
        "name": name,
        "inputs": ["in"],
        "nodes": nodes,
        "outputs": [{"out": {"node_name": output[0], "data_item": output[1]}}],
    }
    entry.update(extra)
    return entry


@pytest.fixture(scope="module")
def server(tmp_path_factory, libraries):
    root = tmp_path_factory.mktemp("repository")
    save_version(dummy_model(), str(root / "dummy"), 1)
    pipelines = [
        _pipeline(
            "add_then_model",
            [
                _node("add", "add", ("request", "in"), "output", "sum", params={"value": "10"}),
                _model("model", ("add", "sum")),
            ],
            ("model", "a"),
        ),
        _pipeline(
            "split_dynamic",
            [
                _node("split", "split", ("request", "in"), "shards", "shard", demultiply_count=-1),
                _model("model", ("split", "shard")),
            ],
            ("model", "a"),
        ),
        _pipeline(
            "split_gather",
            [
                _node("split", "split", ("request", "in"), "shards", "shard", demultiply_count=3),
                _model("model", ("split", "shard")),
                _node(
                    "add",
                    "add",
                    ("model", "a"),
                    "output",
                    "sum",
                    params={"value": "100", "rank": "3"},
                    gather_from_node="split",
                ),
            ],
            ("add", "sum"),
        ),
        _pipeline(
            "upstream_then_model",
            [
                _node(
                    "scale", "upstream", ("request", "in"), "output", "o", params={"factor": "3"}
                ),
                _model("model", ("scale", "o")),
            ],
            ("model", "a"),
        ),
        _pipeline(
            "failing",
            [_node("fail", "error", ("request", "in"), "output", "o", params={"code": "3"})],
            ("fail", "o"),
        ),
        _pipeline(
            "missing_library",
            [_node("n", "ghost", ("request", "in"), "output", "o")],
            ("n", "o"),
        ),
        *(
            _pipeline(
                f"malformed_{mode}",
                [
                    _node(
                        "bad", "malformed", ("request", "in"), "output", "o", params={"mode": mode}
                    )
                ],
                ("bad", "o"),
            )
            for mode in MALFORMED
        ),
    ]
    config = {
        "model_config_list": [{"config": {"name": "dummy", "base_path": "dummy"}}],
        "custom_node_library_config_list": [
            {"name": name, "base_path": libraries[library]}
            for name, library in [
                ("add", "add_constant"),
                ("split", "split"),
                ("error", "error"),
                ("malformed", "malformed"),
                ("upstream", "upstream_style"),
            ]
        ],
        "pipeline_config_list": pipelines,
    }
    path = root / "config.json"
    path.write_text(json.dumps(config))
    with ServerProcess(["--config_path", str(path)]) as running:
        yield running


@pytest.fixture
def client(server):
    return http.InferenceServerClient(f"127.0.0.1:{server.rest_port}")


def _infer(client, name, array):
    tensor = http.InferInput("in", list(array.shape), "FP32")
    tensor.set_data_from_numpy(array)
    return client.infer(name, [tensor]).as_numpy("out")


def _rows(count):
    return np.arange(count * 10, dtype=np.float32).reshape(count, 10)


def test_node_in_upstream_style_built_with_hidden_visibility(client):
    # upstream_style.cpp: C++, DLL_PUBLIC/DLL_LOCAL from the header, -fvisibility=hidden
    np.testing.assert_array_equal(_infer(client, "upstream_then_model", _rows(1)), _rows(1) * 3 + 1)


def test_custom_node_then_model(client):
    np.testing.assert_array_equal(_infer(client, "add_then_model", _rows(1)), _rows(1) + 11)


def test_dynamic_demultiplexing_through_a_model(client):
    for count in (1, 4):
        result = _infer(client, "split_dynamic", _rows(count))
        np.testing.assert_array_equal(result, _rows(count).reshape(count, 1, 10) + 1)


def test_gather_into_a_custom_node(client):
    result = _infer(client, "split_gather", _rows(3))
    np.testing.assert_array_equal(result, _rows(3).reshape(3, 1, 10) + 101)
    metadata = client.get_model_metadata("split_gather")
    assert metadata["inputs"] == [{"name": "in", "datatype": "FP32", "shape": [-1, -1]}]
    assert metadata["outputs"] == [{"name": "out", "datatype": "FP32", "shape": [-1, -1, -1]}]


def test_empty_demultiplexer_answers_no_content(server):
    body = json.dumps(
        {"inputs": [{"name": "in", "shape": [0, 10], "datatype": "FP32", "data": []}]}
    ).encode()
    request = urllib.request.Request(
        f"{server.rest_url}/v2/models/split_dynamic/infer", data=body, method="POST"
    )
    with urllib.request.urlopen(request, timeout=30) as reply:
        assert reply.status == 204
        assert reply.read() == b""


def test_failing_node_reports_and_server_keeps_serving(client, server):
    with pytest.raises(InferenceServerException) as caught:
        _infer(client, "failing", _rows(1))
    assert "Custom node failed during execution - node: fail; execute returned 3" in str(
        caught.value
    )
    np.testing.assert_array_equal(_infer(client, "add_then_model", _rows(1)), _rows(1) + 11)
    assert server.process.poll() is None


@pytest.mark.parametrize("mode", MALFORMED)
def test_malformed_outputs_fail_the_request_only(client, server, mode):
    with pytest.raises(InferenceServerException) as caught:
        _infer(client, f"malformed_{mode}", _rows(1))
    assert MALFORMED[mode] in str(caught.value)
    assert caught.value.status() == "500"
    np.testing.assert_array_equal(_infer(client, "add_then_model", _rows(1)), _rows(1) + 11)
    assert server.process.poll() is None


def test_pipeline_with_unknown_library_is_not_loaded(client, server):
    assert not client.is_model_ready("missing_library")
    with pytest.raises(urllib.error.HTTPError) as caught:
        urllib.request.urlopen(f"{server.rest_url}/v2/models/missing_library", timeout=30)
    assert caught.value.code == 404
    message = json.loads(caught.value.read())["error"]
    assert message.startswith("Pipeline is not loaded yet - Custom node library not found")
