import json
import os

import numpy as np
import pytest
import tritonclient.http as http
from ovms_node_python import PythonNodeDriver
from ovms_testing.contracts import NodeContract
from ovms_testing.models import dummy_model, save_version
from ovms_testing.server import ServerProcess
from tritonclient.utils import InferenceServerException

from ovms_core import NodeSpec, OvmsError
from ovms_core.plugins.drivers import DriverLoader

HERE = os.path.dirname(__file__)


def spec(path, **params):
    return NodeSpec("p", "node", "python", params, library_name=path)


class TestPythonNodeContract(NodeContract):
    @pytest.fixture
    def driver(self):
        return PythonNodeDriver()

    @pytest.fixture
    def spec(self):
        return spec("sample_nodes:Rows")

    @pytest.fixture
    def inputs(self):
        return {"x": np.arange(20, dtype=np.float32).reshape(2, 10)}


def test_registered_as_python_driver():
    assert isinstance(DriverLoader().get("node", "python"), PythonNodeDriver)


def test_params_reach_initialize_and_close_finalizes():
    node = PythonNodeDriver().create(spec("sample_nodes:Scale", factor="3"))
    x = np.ones((1, 10), np.float32)
    np.testing.assert_array_equal(node.execute({"x": x})["y"], x * 3)
    node.close()
    assert node.instance.finalized


def test_ports_may_depend_on_params():
    node = PythonNodeDriver().create(spec("sample_nodes.Configured", width="6"))
    assert [(m.name, m.datatype, m.shape) for m in node.inputs_info()] == [("x", "INT32", [-1, 6])]


@pytest.mark.parametrize(
    ("path", "code", "text"),
    [
        ("no_such_module:Node", "PYTHON_NODE_FILE_DOES_NOT_EXIST", "cannot import no_such_module"),
        ("sample_nodes:Missing", "PYTHON_NODE_FILE_DOES_NOT_EXIST", "has no class Missing"),
        ("not-a-path", "PYTHON_NODE_FILE_DOES_NOT_EXIST", "is not an import path"),
        ("sample_nodes:FailsToStart", "PYTHON_NODE_FILE_STATE_INITIALIZATION_FAILED", "no config"),
        ("sample_nodes:NoExecute", "PYTHON_NODE_FILE_STATE_INITIALIZATION_FAILED", "no execute"),
        ("sample_nodes:BadPorts", "NODE_LIBRARY_METADATA_FAILED", "must be (datatype, shape)"),
        ("", "PYTHON_NODE_MISSING_OPTIONS", "library_name must name the class"),
    ],
)
def test_building_errors(path, code, text):
    with pytest.raises(OvmsError) as caught:
        PythonNodeDriver().create(spec(path))
    assert caught.value.code.name == code
    assert text in caught.value.message


def test_exception_in_execute_is_an_execution_failure():
    node = PythonNodeDriver().create(spec("sample_nodes:Raises"))
    with pytest.raises(OvmsError) as caught:
        node.execute({"x": np.zeros((1, 10), np.float32)})
    assert caught.value.message == (
        "Custom node failed during execution - node: node; ValueError: this node always fails"
    )


def _node(name, path, sources, outputs, **extra):
    entry = {
        "name": name,
        "type": "python",
        "library_name": path,
        "inputs": [{k: {"node_name": n, "data_item": d}} for k, (n, d) in sources.items()],
        "outputs": [{"data_item": o, "alias": o} for o in outputs],
    }
    entry.update(extra)
    return entry


@pytest.fixture(scope="module")
def client(tmp_path_factory):
    root = tmp_path_factory.mktemp("repository")
    save_version(dummy_model(), str(root / "dummy"), 1)
    model = {
        "name": "model",
        "type": "DL model",
        "model_name": "dummy",
        "inputs": [{"b": {"node_name": "rows", "data_item": "rows"}}],
        "outputs": [{"data_item": "a", "alias": "a"}],
    }
    pipelines = [
        {
            "name": "scale_rows",
            "inputs": ["x"],
            "nodes": [
                _node("scale", "sample_nodes:Scale", {"x": ("request", "x")}, ["y"],
                      params={"factor": "3"}),
                _node("rows", "sample_nodes:Rows", {"x": ("scale", "y")}, ["rows"],
                      demultiply_count=-1),
                model,
                _node("describe", "sample_nodes:Describe", {"x": ("model", "a")}, ["text"]),
            ],
            "outputs": [
                {"result": {"node_name": "model", "data_item": "a"}},
                {"text": {"node_name": "describe", "data_item": "text"}},
            ],
        },
        {
            "name": "raises",
            "inputs": ["x"],
            "nodes": [_node("boom", "sample_nodes:Raises", {"x": ("request", "x")}, ["y"])],
            "outputs": [{"y": {"node_name": "boom", "data_item": "y"}}],
        },
    ]  # fmt: skip
    config = {
        "model_config_list": [{"config": {"name": "dummy", "base_path": "dummy"}}],
        "pipeline_config_list": pipelines,
    }
    path = root / "config.json"
    path.write_text(json.dumps(config))
    env = {"PYTHONPATH": os.pathsep.join(filter(None, [HERE, os.environ.get("PYTHONPATH")]))}
    with ServerProcess(["--config_path", str(path)], env=env) as server:
        yield http.InferenceServerClient(f"127.0.0.1:{server.rest_port}")


def test_python_nodes_around_a_model(client):
    x = np.arange(30, dtype=np.float32).reshape(3, 10)
    tensor = http.InferInput("x", [3, 10], "FP32")
    tensor.set_data_from_numpy(x)
    result = client.infer("scale_rows", [tensor])
    np.testing.assert_array_equal(result.as_numpy("result"), (x * 3).reshape(3, 1, 10) + 1)
    assert result.as_numpy("text").tolist() == [[b"(1, 10)"]] * 3


def test_failing_python_node_fails_only_the_request(client):
    tensor = http.InferInput("x", [1, 10], "FP32")
    tensor.set_data_from_numpy(np.zeros((1, 10), np.float32))
    with pytest.raises(InferenceServerException) as caught:
        client.infer("raises", [tensor])
    assert "ValueError: this node always fails" in str(caught.value)
    assert client.is_model_ready("scale_rows")
