"""Pipelines of served models: in-process through the dataplane, and in a running server."""

import asyncio
import json
import os
import subprocess
import sys
import time
import urllib.error
import urllib.request

import numpy as np
import openvino as ov
import pytest
from ovms_pipelines import PipelineManager
from ovms_testing.server import ServerProcess, free_port

from ovms_core import DriverLoader, InferInput, InferRequest, ModelAccess, OvmsError
from ovms_core.config import ModelConfig, ServingConfig
from ovms_core.models.manager import ModelManager
from ovms_core.server.assembly import build_dataplane
from ovms_core.server.hooks import Hooks

http = pytest.importorskip("tritonclient.http")


def model_node(name, model, sources, outputs=("a",), **extra):
    entry = {
        "name": name,
        "type": "DL model",
        "model_name": model,
        "inputs": [{i: {"node_name": n, "data_item": d}} for i, (n, d) in sources.items()],
        "outputs": [{"data_item": o, "alias": o} for o in outputs],
    }
    entry.update(extra)
    return entry


def pipeline(name, nodes, outputs, inputs=("in",), **extra):
    entry = {
        "name": name,
        "inputs": list(inputs),
        "nodes": nodes,
        "outputs": [{k: {"node_name": n, "data_item": d}} for k, (n, d) in outputs.items()],
    }
    entry.update(extra)
    return entry


REQUEST = ("request", "in")
# in -> dummy (+1) -> dummy (+1); add_two sums both: out = (in + 1) + (in + 2)
DIAMOND = pipeline(
    "diamond",
    [
        model_node("first", "dummy", {"b": REQUEST}),
        model_node("second", "dummy", {"b": ("first", "a")}),
        model_node(
            "sum", "add_two", {"input1": ("first", "a"), "input2": ("second", "a")}, ["sum"]
        ),
    ],
    {"out": ("sum", "sum"), "plus_two": ("second", "a")},
)
# one request row per shard through a [1,10] model: [N,1,10] in, [N,1,10] out
PER_ROW = pipeline(
    "per_row", [model_node("m", "dummy", {"b": REQUEST})], {"out": ("m", "a")}, demultiply_count=-1
)


def rows(count):
    return np.arange(count * 10, dtype=np.float32).reshape(count, 1, 10)


def _request(name, array):
    return InferRequest(name, None, [InferInput("in", "FP32", array.shape, values=array)])


def _serving(repository, pipelines, models=("dummy", "add_two"), **model_settings):
    return ServingConfig(
        models=tuple(
            ModelConfig(name=m, base_path=str(repository / m), **model_settings.get(m, {}))
            for m in models
        ),
        raw={"pipeline_config_list": list(pipelines)},
    )


def _run(scenario):
    async def main():
        hooks = Hooks(load_entry_points=False)
        models = ModelManager(ov.Core(), DriverLoader(), hooks)
        pipelines = PipelineManager(ModelAccess(models), DriverLoader())
        try:
            return await scenario(models, pipelines, build_dataplane(models, [pipelines]))
        finally:
            await pipelines.shutdown()
            await models.shutdown()

    return asyncio.run(main())


async def _apply(models, pipelines, config):
    changed = await models.apply(config)
    return await pipelines.apply(config) or changed


async def _outputs(dataplane, name, array):
    with await dataplane.infer(_request(name, array)) as result:
        return {o.name: np.array(o.data) for o in result.outputs}


def test_models_in_a_diamond_give_exact_values(repository):
    async def scenario(models, pipelines, dataplane):
        await _apply(models, pipelines, _serving(repository, [DIAMOND]))
        values = rows(1)[0]
        outputs = await _outputs(dataplane, "diamond", values)
        np.testing.assert_array_equal(outputs["out"], 2 * values + 3)
        np.testing.assert_array_equal(outputs["plus_two"], values + 2)

    _run(scenario)


def test_more_shards_than_infer_requests(repository):
    async def scenario(models, pipelines, dataplane):
        config = _serving(repository, [PER_ROW], models=("dummy",), dummy={"nireq": 1})
        await _apply(models, pipelines, config)
        outputs = await _outputs(dataplane, "per_row", rows(16))
        np.testing.assert_array_equal(outputs["out"], rows(16) + 1)
        assert models.get("dummy").default.compiled.pool.busy == 0

    _run(scenario)


def test_pipeline_follows_its_model(repository):
    async def scenario(models, pipelines, dataplane):
        await _apply(models, pipelines, _serving(repository, [PER_ROW], models=()))
        with pytest.raises(OvmsError) as caught:
            await dataplane.infer(_request("per_row", rows(1)))
        assert caught.value.message == (
            "Pipeline is not loaded yet - Pipeline definition has reference to missing model - "
            "Validation of pipeline: per_row definition failed. Missing model: dummy;"
        )
        assert dataplane.model_status("per_row", None)[0].error_code == "FAILED_PRECONDITION"
        assert await _apply(models, pipelines, _serving(repository, [PER_ROW], models=("dummy",)))
        outputs = await _outputs(dataplane, "per_row", rows(2))
        np.testing.assert_array_equal(outputs["out"], rows(2) + 1)
        await _apply(models, pipelines, _serving(repository, [PER_ROW], models=()))
        assert not dataplane.model_ready("per_row", None)

    _run(scenario)


def _config(repository, pipelines):
    return {
        "model_config_list": [
            {"config": {"name": m, "base_path": str(repository / m)}}
            for m in ("dummy", "add_two", "broken")
        ],
        "pipeline_config_list": pipelines,
    }


@pytest.fixture(scope="module")
def pipeline_server(repository, tmp_path_factory):
    broken = pipeline("uses_broken", [model_node("m", "broken", {"b": REQUEST})], {"o": ("m", "a")})
    path = tmp_path_factory.mktemp("pipelines") / "config.json"
    path.write_text(json.dumps(_config(repository, [DIAMOND, PER_ROW, broken])))
    with ServerProcess(["--config_path", str(path), "--port", str(free_port())]) as server:
        yield server


@pytest.fixture
def client(pipeline_server):
    client = http.InferenceServerClient(f"127.0.0.1:{pipeline_server.rest_port}")
    yield client
    client.close()


@pytest.mark.parametrize("binary", [True, False])
def test_tritonclient_infers_through_a_pipeline(client, binary):
    values = rows(1)[0] * 0.5
    tensor = http.InferInput("in", [1, 10], "FP32")
    tensor.set_data_from_numpy(values, binary_data=binary)
    outputs = [http.InferRequestedOutput("out", binary_data=binary)]
    result = client.infer("diamond", [tensor], outputs=outputs, request_id="r1")
    np.testing.assert_array_equal(result.as_numpy("out"), 2 * values + 3)
    response = result.get_response()
    assert (response["model_name"], response["model_version"], response["id"]) == (
        "diamond",
        "1",
        "r1",
    )


def test_pipeline_metadata_and_readiness(client):
    assert client.is_model_ready("diamond")
    metadata = client.get_model_metadata("per_row")
    assert metadata == {
        "name": "per_row",
        "versions": ["1"],
        "platform": "OpenVINO",
        "inputs": [{"name": "in", "datatype": "FP32", "shape": [-1, 1, 10]}],
        "outputs": [{"name": "out", "datatype": "FP32", "shape": [-1, 1, 10]}],
    }


def test_demultiplexed_pipeline_over_rest_json(pipeline_server):
    body = {"inputs": [{"name": "in", "shape": [3, 1, 10], "datatype": "FP32"}]}
    body["inputs"][0]["data"] = rows(3).reshape(-1).tolist()
    request = urllib.request.Request(
        f"{pipeline_server.rest_url}/v2/models/per_row/infer", data=json.dumps(body).encode()
    )
    with urllib.request.urlopen(request, timeout=30) as reply:
        answer = json.load(reply)
    (output,) = answer["outputs"]
    assert output["shape"] == [3, 1, 10]
    assert output["data"] == (rows(3) + 1).reshape(-1).tolist()


def test_bad_request_to_a_pipeline_is_a_client_error(client):
    tensor = http.InferInput("in", [1, 3], "FP32")
    tensor.set_data_from_numpy(np.zeros((1, 3), np.float32))
    with pytest.raises(http.InferenceServerException) as caught:
        client.infer("diamond", [tensor])
    assert caught.value.status() == "400"
    assert "Invalid input shape - Expected: (1,10); Actual: (1,3)" in str(caught.value)


def test_pipeline_of_a_broken_model_says_so(pipeline_server):
    with pytest.raises(urllib.error.HTTPError) as caught:
        urllib.request.urlopen(f"{pipeline_server.rest_url}/v2/models/uses_broken", timeout=30)
    assert caught.value.code == 404
    assert json.loads(caught.value.read()) == {
        "error": "Pipeline is not loaded yet - Pipeline definition has reference to missing "
        "model - Validation of pipeline: uses_broken definition failed. Missing model: broken;"
    }


def _wait_for(condition, timeout=60):
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError("condition not met in time")
        time.sleep(0.2)


def test_config_file_changes_add_change_and_remove_pipelines(repository, tmp_path):
    path = tmp_path / "config.json"
    path.write_text(json.dumps(_config(repository, [DIAMOND, PER_ROW])))
    args = ["--config_path", str(path), "--file_system_poll_wait_seconds", "1"]
    with ServerProcess(args) as server:
        client = http.InferenceServerClient(f"127.0.0.1:{server.rest_port}")
        added = pipeline("added", DIAMOND["nodes"], {"out": ("sum", "sum")})
        changed = pipeline("per_row", PER_ROW["nodes"], {"renamed": ("m", "a")}, demultiply_count=2)
        path.write_text(json.dumps(_config(repository, [added, changed])))
        _wait_for(lambda: client.is_model_ready("added"))
        tensor = http.InferInput("in", [1, 10], "FP32")
        tensor.set_data_from_numpy(rows(1)[0])
        result = client.infer("added", [tensor]).as_numpy("out")
        np.testing.assert_array_equal(result, 2 * rows(1)[0] + 3)
        _wait_for(lambda: not client.is_model_ready("diamond"))
        with pytest.raises(http.InferenceServerException) as caught:
            client.infer("diamond", [tensor])
        assert "Pipeline is retired" in str(caught.value)
        assert caught.value.status() == "404"
        metadata = client.get_model_metadata("per_row")
        assert metadata["outputs"] == [{"name": "renamed", "datatype": "FP32", "shape": [2, 1, 10]}]


def _ovms(*args):
    return subprocess.run(
        [sys.executable, "-m", "ovms_core", *args], capture_output=True, text=True, timeout=120
    )


@pytest.mark.parametrize(
    ("change", "expected"),
    [
        (
            {"nodes": [{"name": "m", "type": "DL model"}]},
            "$.pipeline_config_list[0].nodes[0]: required key 'inputs' is missing",
        ),
        ({"name": "dummy"}, "Pipeline has the same name as model: 'dummy'"),
        (
            {
                "nodes": [
                    {k: v for k, v in PER_ROW["nodes"][0].items() if k != "model_name"}
                    | {"type": "nonsense"}
                ]
            },
            "No node driver named 'nonsense' is installed",
        ),
    ],
)
def test_start_up_stops_on_pipeline_configuration_errors(repository, tmp_path, change, expected):
    config = {
        "model_config_list": [
            {"config": {"name": "dummy", "base_path": str(repository / "dummy")}}
        ],
        "pipeline_config_list": [{**PER_ROW, **change}],
    }
    path = tmp_path / "config.json"
    path.write_text(json.dumps(config))
    done = _ovms("serve", "--config_path", str(path), "--rest_port", "0", "--port", "0")
    assert done.returncode == 1
    assert expected in done.stderr


def test_validate_reports_a_pipeline_schema_error(repository, tmp_path):
    config = _config(repository, [{**PER_ROW, "extra": 1}])
    path = tmp_path / "config.json"
    path.write_text(json.dumps(config))
    done = _ovms("validate", "--config_path", str(path), "--rest_port", "8000")
    assert done.returncode == 1
    assert f"{path}: $.pipeline_config_list[0].extra: unknown key 'extra'" in done.stderr


def test_the_kind_is_listed_and_may_be_disabled(repository, tmp_path):
    listed = _ovms("plugins")
    assert any(
        line.split()[:3] == ["ovms.servables", "pipelines", "ovms-pipelines"]
        for line in listed.stdout.splitlines()
    )
    path = tmp_path / "config.json"
    path.write_text(json.dumps(_config(repository, [PER_ROW])))
    done = subprocess.run(
        [sys.executable, "-m", "ovms_core", "validate", "--config_path", str(path)],
        capture_output=True,
        text=True,
        timeout=120,
        env={**os.environ, "OVMS_DISABLE_PLUGINS": "pipelines"},
    )
    assert done.returncode == 1
    assert "servable kind 'pipelines', which is not installed" in done.stderr
    assert "pip install ovms-pipelines" in done.stderr


def _get_json(url):
    with urllib.request.urlopen(url, timeout=30) as reply:
        return json.load(reply)


def test_tfs_rest_predict_status_and_metadata_of_a_pipeline(pipeline_server):
    values = rows(1)[0]
    body = json.dumps({"inputs": {"in": values.tolist()}}).encode()
    request = urllib.request.Request(
        f"{pipeline_server.rest_url}/v1/models/diamond:predict", data=body
    )
    with urllib.request.urlopen(request, timeout=30) as reply:
        answer = json.load(reply)
    outputs = answer["outputs"]
    np.testing.assert_array_equal(np.array(outputs["out"], np.float32), 2 * values + 3)
    np.testing.assert_array_equal(np.array(outputs["plus_two"], np.float32), values + 2)
    status = _get_json(f"{pipeline_server.rest_url}/v1/models/diamond")
    assert status["model_version_status"][0]["version"] == "1"
    assert status["model_version_status"][0]["state"] == "AVAILABLE"
    metadata = _get_json(f"{pipeline_server.rest_url}/v1/models/diamond/metadata")
    signature = metadata["metadata"]["signature_def"]["signatureDef"]["serving_default"]
    assert set(signature["inputs"]) == {"in"}
    assert set(signature["outputs"]) == {"out", "plus_two"}


def test_config_status_lists_pipelines(pipeline_server):
    config = _get_json(f"{pipeline_server.rest_url}/v1/config")
    assert config["diamond"]["model_version_status"][0]["state"] == "AVAILABLE"
    assert config["uses_broken"]["model_version_status"][0]["status"]["error_code"] == (
        "FAILED_PRECONDITION"
    )
    assert "dummy" in config


def test_kserve_grpc_infers_through_a_pipeline(pipeline_server):
    grpc = pytest.importorskip("grpc")
    pb = pytest.importorskip("ovms_frontend_grpc._generated.ovms.grpc_predict_v2_pb2")
    from ovms_frontend_grpc._generated.ovms import grpc_predict_v2_pb2_grpc as pb_grpc

    values = rows(1)[0]
    request = pb.ModelInferRequest(model_name="diamond")
    request.inputs.add(name="in", datatype="FP32", shape=[1, 10])
    request.raw_input_contents.append(values.tobytes())
    with grpc.insecure_channel(f"127.0.0.1:{pipeline_server.grpc_port}") as channel:
        stub = pb_grpc.GRPCInferenceServiceStub(channel)
        response = stub.ModelInfer(request, timeout=30)
        metadata = stub.ModelMetadata(pb.ModelMetadataRequest(name="diamond"), timeout=30)
    by_name = {
        o.name: np.frombuffer(raw, np.float32)
        for o, raw in zip(response.outputs, response.raw_output_contents, strict=True)
    }
    np.testing.assert_array_equal(by_name["out"], (2 * values + 3).ravel())
    np.testing.assert_array_equal(by_name["plus_two"], (values + 2).ravel())
    assert response.model_version == "1"
    assert [t.name for t in metadata.inputs] == ["in"]


def test_tfs_grpc_predicts_through_a_pipeline(pipeline_server):
    grpc = pytest.importorskip("grpc")
    predict_pb2 = pytest.importorskip(
        "ovms_frontend_grpc._generated.tensorflow_serving.apis.predict_pb2"
    )
    from ovms_frontend_grpc._generated.tensorflow.core.framework import types_pb2
    from ovms_frontend_grpc._generated.tensorflow_serving.apis import (
        prediction_service_pb2_grpc,
    )

    values = rows(1)[0]
    request = predict_pb2.PredictRequest()
    request.model_spec.name = "diamond"
    tensor = request.inputs["in"]
    tensor.dtype = types_pb2.DT_FLOAT
    tensor.tensor_shape.dim.add(size=1)
    tensor.tensor_shape.dim.add(size=10)
    tensor.tensor_content = values.tobytes()
    with grpc.insecure_channel(f"127.0.0.1:{pipeline_server.grpc_port}") as channel:
        stub = prediction_service_pb2_grpc.PredictionServiceStub(channel)
        response = stub.Predict(request, timeout=30)
    out = np.frombuffer(response.outputs["out"].tensor_content, np.float32)
    np.testing.assert_array_equal(out, (2 * values + 3).ravel())
