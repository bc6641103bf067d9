"""What operators rely on: health, reflection, workers, bind errors and ``ovms bench`` modes."""

import json
import urllib.request

import grpc
import numpy as np
import pytest
from google.protobuf.descriptor_pool import DescriptorPool

pytest.importorskip("ovms_frontend_grpc")
from grpc_health.v1 import health_pb2, health_pb2_grpc
from grpc_reflection.v1alpha.proto_reflection_descriptor_database import (
    ProtoReflectionDescriptorDatabase,
)
from ovms_frontend_grpc._generated.ovms import grpc_predict_v2_pb2 as pb
from ovms_frontend_grpc._generated.ovms import grpc_predict_v2_pb2_grpc as pb_grpc
from ovms_testing.server import ServerProcess, free_port

SERVICES = (
    "inference.GRPCInferenceService",
    "tensorflow.serving.PredictionService",
    "tensorflow.serving.ModelService",
)


def _infer(port):
    request = pb.ModelInferRequest(model_name="dummy")
    request.inputs.add(name="b", datatype="FP32", shape=[1, 10])
    request.raw_input_contents.append(np.zeros(10, np.float32).tobytes())
    with grpc.insecure_channel(f"127.0.0.1:{port}") as channel:
        response = pb_grpc.GRPCInferenceServiceStub(channel).ModelInfer(request, timeout=30)
    return np.frombuffer(response.raw_output_contents[0], np.float32)


def test_standard_health_service(server):
    with grpc.insecure_channel(f"127.0.0.1:{server.grpc_port}") as channel:
        health = health_pb2_grpc.HealthStub(channel)
        for service in ("", *SERVICES):
            answer = health.Check(health_pb2.HealthCheckRequest(service=service))
            assert answer.status == health_pb2.HealthCheckResponse.SERVING
        with pytest.raises(grpc.RpcError) as caught:
            health.Check(health_pb2.HealthCheckRequest(service="no.Such"))
        assert caught.value.code() == grpc.StatusCode.NOT_FOUND


def test_server_reflection_describes_the_services(server):
    with grpc.insecure_channel(f"127.0.0.1:{server.grpc_port}") as channel:
        database = ProtoReflectionDescriptorDatabase(channel)
        assert set(SERVICES) <= set(database.get_services())
        pool = DescriptorPool(database)
        kserve = pool.FindServiceByName("inference.GRPCInferenceService")
        assert kserve.methods_by_name["ModelInfer"].input_type.full_name == (
            "inference.ModelInferRequest"
        )
        tfs = pool.FindServiceByName("tensorflow.serving.PredictionService")
        response = tfs.methods_by_name["Predict"].output_type
        assert response.fields_by_name["outputs"].number == 1


def test_workers_share_the_port_and_a_taken_port_fails(config_file, server):
    port = free_port()
    args = ["--config_path", str(config_file), "--port", str(port), "--grpc_workers", "2"]
    args += [
        "--grpc_channel_arguments",
        "grpc.max_concurrent_streams=8,grpc.http2.max_pings_without_data=0",
    ]
    with ServerProcess(args):
        for _ in range(4):  # new connections, spread over both workers by the kernel
            np.testing.assert_array_equal(_infer(port), np.ones(10, np.float32))
    taken = ServerProcess(
        ["--config_path", str(config_file), "--port", str(server.grpc_port)], wait_ready=False
    )
    with taken:
        assert taken.process.wait(timeout=120) == 1
        assert f"cannot listen for gRPC on 127.0.0.1:{server.grpc_port}" in taken.log()
    np.testing.assert_array_equal(_infer(server.grpc_port), np.ones(10, np.float32))


@pytest.mark.parametrize("event_loop", ["asyncio", "uvloop"])
def test_serves_rest_and_grpc_on_either_event_loop(config_file, event_loop):
    if event_loop == "uvloop":
        pytest.importorskip("uvloop")
    port = free_port()
    args = ["--config_path", str(config_file), "--port", str(port), "--event_loop", event_loop]
    with ServerProcess(args) as server:
        np.testing.assert_array_equal(_infer(port), np.ones(10, np.float32))
        body = {"inputs": [{"name": "b", "shape": [1, 10], "datatype": "FP32", "data": [1] * 10}]}
        request = urllib.request.Request(
            f"http://127.0.0.1:{server.rest_port}/v2/models/dummy/infer", json.dumps(body).encode()
        )
        with urllib.request.urlopen(request, timeout=30) as reply:
            assert json.loads(reply.read())["outputs"][0]["data"] == [2.0] * 10
        assert f"Event loop: {event_loop}" in server.log()
