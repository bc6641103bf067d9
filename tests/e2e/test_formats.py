"""Every model format OVMS detects loads and infers exact values (fixtures: tests/fixtures)."""

import json
import pathlib

import numpy as np
import pytest
from ovms_testing.server import ServerProcess

from ovms_core.models.files import find_model_file

http = pytest.importorskip("tritonclient.http")

FIXTURES = pathlib.Path(__file__).resolve().parent.parent / "fixtures" / "models"
FORMATS = {
    "ir": "model.xml",
    "onnx": "model.onnx",
    "paddle": "model.pdmodel",
    "saved_model": "",  # the folder itself
    "tflite": "model.tflite",
}
# Every fixture computes y = x @ W + b, W = [[1,2],[3,4],[5,6],[7,8]], b = [1,-1].
X = np.array([[0.0, 1.5, -2.0, 3.0]], dtype=np.float32)
Y = [[16.5, 17.0]]


@pytest.fixture(scope="module")
def formats_server(tmp_path_factory):
    config = tmp_path_factory.mktemp("formats") / "config.json"
    models = [{"config": {"name": n, "base_path": str(FIXTURES / n)}} for n in FORMATS]
    config.write_text(json.dumps({"model_config_list": models}))
    with ServerProcess(["--config_path", str(config)]) as running:
        yield running


@pytest.mark.parametrize("name", FORMATS)
def test_detection_order_picks_the_format(name):
    folder = FIXTURES / name / "1"
    assert find_model_file(str(folder)) == str(folder / FORMATS[name]).rstrip("/")


@pytest.mark.parametrize("name", FORMATS)
def test_format_loads_and_infers_exact_values(formats_server, name):
    client = http.InferenceServerClient(f"127.0.0.1:{formats_server.rest_port}")
    try:
        metadata = client.get_model_metadata(name)
        [model_input] = metadata["inputs"]
        [model_output] = metadata["outputs"]
        assert (model_input["datatype"], model_input["shape"]) == ("FP32", [1, 4])
        assert (model_output["datatype"], model_output["shape"]) == ("FP32", [1, 2])
        tensor = http.InferInput(model_input["name"], [1, 4], "FP32")
        tensor.set_data_from_numpy(X)
        result = client.infer(name, [tensor])
        assert result.as_numpy(model_output["name"]).tolist() == Y
    finally:
        client.close()
