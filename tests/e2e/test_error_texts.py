"""Error texts echo request values only up to a bound, over REST and gRPC."""

import http.client
import json

import grpc
import pytest

pb = pytest.importorskip("ovms_frontend_grpc._generated.ovms.grpc_predict_v2_pb2")
from ovms_frontend_grpc._generated.ovms import grpc_predict_v2_pb2_grpc as pb_grpc  # noqa: E402

RANK = 100_000


def test_rest_error_for_a_huge_rank_is_short(server):
    document = {"inputs": [{"name": "b", "shape": [1] * RANK, "datatype": "FP32", "data": [0]}]}
    connection = http.client.HTTPConnection("127.0.0.1", server.rest_port, timeout=30)
    try:
        connection.request("POST", "/v2/models/dummy/infer", json.dumps(document))
        reply = connection.getresponse()
        status, text = reply.status, json.loads(reply.read())["error"]
    finally:
        connection.close()
    print(f"REST {status}: {len(text)} characters: {text[:120]}")
    assert status == 400
    assert len(text) < 1200


def test_grpc_error_for_a_huge_rank_is_short_and_invalid_argument(server):
    request = pb.ModelInferRequest(model_name="dummy")
    request.inputs.add(name="b", datatype="FP32", shape=[1] * RANK)
    request.raw_input_contents.append(b"\0" * 4)
    with (
        grpc.insecure_channel(f"127.0.0.1:{server.grpc_port}") as channel,
        pytest.raises(grpc.RpcError) as caught,
    ):
        pb_grpc.GRPCInferenceServiceStub(channel).ModelInfer(request, timeout=30)
    details = caught.value.details()
    print(f"gRPC {caught.value.code()}: {len(details)} characters: {details[:120]}")
    assert caught.value.code() == grpc.StatusCode.INVALID_ARGUMENT
    assert len(details) < 1200
