"""The ``kserve`` Python client (REST and gRPC) against a real ``ovms serve``.

Runs in its own tox env (``kserve-client``): the client's protobuf pin clashes with tritonclient's.
"""

import asyncio

import numpy as np
import pytest
from kserve import InferenceGRPCClient, InferenceRESTClient, InferInput, InferRequest, RESTConfig
from ovms_testing.models import dummy_model, save_version
from ovms_testing.server import ServerProcess, free_port


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    root = tmp_path_factory.mktemp("kserve_models")
    save_version(dummy_model(), str(root / "dummy"), 1)
    flags = ["--model_name", "dummy", "--model_path", str(root / "dummy"), "--port"]
    with ServerProcess([*flags, str(free_port())]) as running:
        yield running


def _request():
    tensor = InferInput("b", [1, 10], "FP32")
    tensor.set_data_from_numpy(np.arange(10, dtype=np.float32).reshape(1, 10), binary_data=False)
    return InferRequest(model_name="dummy", infer_inputs=[tensor], request_id="r1")


def test_rest_health_readiness_and_infer(server):
    async def calls():
        client = InferenceRESTClient(RESTConfig(protocol="v2", retries=0, timeout=30))
        try:
            assert await client.is_server_live(server.rest_url)
            assert await client.is_server_ready(server.rest_url)
            assert await client.is_model_ready(server.rest_url, "dummy")
            return await client.infer(server.rest_url, _request(), model_name="dummy")
        finally:
            await client.close()

    response = asyncio.run(calls())
    assert response.model_name == "dummy"
    np.testing.assert_array_equal(
        response.outputs[0].as_numpy(), np.arange(1, 11, dtype=np.float32).reshape(1, 10)
    )


def test_grpc_health_readiness_and_infer(server):
    async def calls():
        client = InferenceGRPCClient(f"127.0.0.1:{server.grpc_port}", retries=0, timeout=30)
        try:
            assert await client.is_server_live()
            assert await client.is_server_ready()
            assert await client.is_model_ready("dummy")
            return await client.infer(_request())
        finally:
            await client.close()

    response = asyncio.run(calls())
    assert response.model_name == "dummy"
    np.testing.assert_array_equal(
        response.outputs[0].as_numpy(), np.arange(1, 11, dtype=np.float32).reshape(1, 10)
    )
