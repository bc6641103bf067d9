"""KServe gRPC with large typed contents: correct values, and other clients served meanwhile."""

import threading
import time

import grpc
import numpy as np
import pytest

pb = pytest.importorskip("ovms_frontend_grpc._generated.ovms.grpc_predict_v2_pb2")
from ovms_frontend_grpc._generated.ovms import grpc_predict_v2_pb2_grpc as pb_grpc  # noqa: E402

_OPTIONS = [("grpc.max_send_message_length", 1 << 30), ("grpc.max_receive_message_length", 1 << 30)]


def _request(model, values, shape):
    request = pb.ModelInferRequest(model_name=model)
    tensor = request.inputs.add(name="b", datatype="FP32", shape=shape)
    tensor.contents.fp32_contents.extend(values)
    return request


def test_large_fp32_contents_keep_their_values(server):
    values = (np.arange(200_000 * 10) % 1000).astype(np.float32) / 8
    with grpc.insecure_channel(f"127.0.0.1:{server.grpc_port}", options=_OPTIONS) as channel:
        reply = pb_grpc.GRPCInferenceServiceStub(channel).ModelInfer(
            _request("dynamic", values, [200_000, 10]), timeout=60
        )
    output = np.frombuffer(reply.raw_output_contents[0], np.float32)
    np.testing.assert_array_equal(output, values + 1)


def test_other_clients_are_served_while_a_50_mb_message_is_decoded(server):
    big = _request("dynamic", np.random.default_rng(0).random(12_500_000), [1, 10])
    small = _request("dynamic", [0.0] * 10, [1, 10])
    address = f"127.0.0.1:{server.grpc_port}"
    with (
        grpc.insecure_channel(address, options=_OPTIONS) as first,
        grpc.insecure_channel(address, options=[("grpc.use_local_subchannel_pool", 1)]) as other,
    ):
        # Serialized beforehand, so that the client's own encoding does not hold this
        # process's GIL while the small requests are timed: only the server's cost is measured.
        big_bytes = big.SerializeToString()
        big_call = first.unary_unary("/inference.GRPCInferenceService/ModelInfer")
        small_stub = pb_grpc.GRPCInferenceServiceStub(other)
        small_stub.ModelInfer(small, timeout=30)
        outcome = {}

        def send_big():
            started = time.perf_counter()
            try:
                big_call(big_bytes, timeout=60)
            except grpc.RpcError as error:
                outcome["code"] = error.code()
            outcome["seconds"] = time.perf_counter() - started

        sender = threading.Thread(target=send_big)
        sender.start()
        latencies = []
        while sender.is_alive():
            started = time.perf_counter()
            small_stub.ModelInfer(small, timeout=30)
            latencies.append(time.perf_counter() - started)
        sender.join()
    assert outcome["code"] == grpc.StatusCode.INVALID_ARGUMENT
    latencies.sort()
    p99 = latencies[min(len(latencies) - 1, int(len(latencies) * 0.99))]
    print(
        f"{big.ByteSize() / 1e6:.0f} MB gRPC message answered in {outcome['seconds']:.2f} s;"
        f" meanwhile {len(latencies)} small requests, p99 {p99 * 1000:.0f} ms"
    )
