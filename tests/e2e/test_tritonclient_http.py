"""tritonclient.http, unmodified, against the server (client in this process, server in another)."""

import numpy as np
import pytest

http = pytest.importorskip("tritonclient.http")


@pytest.fixture
def client(server):
    client = http.InferenceServerClient(f"127.0.0.1:{server.rest_port}")
    yield client
    client.close()


def test_server_and_model_metadata(client):
    assert client.is_server_live()
    assert client.is_server_ready()
    assert client.is_model_ready("dummy")
    assert client.get_server_metadata()["name"] == "OpenVINO Model Server"
    metadata = client.get_model_metadata("dummy", "1")
    assert metadata["inputs"] == [{"name": "b", "datatype": "FP32", "shape": [1, 10]}]


@pytest.mark.parametrize("binary", [True, False])
def test_infer(client, binary):
    values = np.arange(10, dtype=np.float32).reshape(1, 10) * 0.5
    tensor = http.InferInput("b", [1, 10], "FP32")
    tensor.set_data_from_numpy(values, binary_data=binary)
    outputs = [http.InferRequestedOutput("a", binary_data=binary)]
    result = client.infer("dummy", [tensor], outputs=outputs, request_id="abc")
    np.testing.assert_array_equal(result.as_numpy("a"), values + 1)
    assert result.get_response()["id"] == "abc"
    result = client.infer("dummy", [tensor], model_version="1")
    np.testing.assert_array_equal(result.as_numpy("a"), values + 1)


def test_fp16_binary(client):
    values = np.array([[1.0, 2.5, -3.0]], dtype=np.float16)
    tensor = http.InferInput("b", [1, 3], "FP16")
    tensor.set_data_from_numpy(values)
    result = client.infer("fp16", [tensor])
    np.testing.assert_array_equal(result.as_numpy("a"), values + 1)


def test_error_surfaces_as_exception(client):
    tensor = http.InferInput("b", [1, 3], "FP32")
    tensor.set_data_from_numpy(np.zeros((1, 3), np.float32))
    with pytest.raises(http.InferenceServerException) as caught:
        client.infer("dummy", [tensor])
    assert "Invalid input shape" in str(caught.value)
