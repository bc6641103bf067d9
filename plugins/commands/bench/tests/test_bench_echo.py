"""The transport ceilings of ``ovms bench``: echo servers answer with the recorded answer."""

import asyncio
import json

import pytest
from ovms_command_bench import echo_subprocess
from ovms_command_bench.echo import REST_ECHO_MODULE, encode_answer
from ovms_command_bench.http_load import build_post, fetch, measure_http


def test_rest_echo_replays_the_recorded_answer():
    body = json.dumps({"outputs": [{"name": "y", "data": [1, 2]}]}).encode()
    answer = encode_answer([("Content-Type", "application/json")], body)
    with echo_subprocess(REST_ECHO_MODULE, answer) as port:
        request = build_post("127.0.0.1", port, "/v2/models/m/infer", b"x" * 70_000, {})
        status, headers, received = asyncio.run(fetch("127.0.0.1", port, request))
        assert (status, received) == (200, body)
        assert ("Content-Type", "application/json") in headers
        measured = asyncio.run(measure_http("echo", "127.0.0.1", port, request, 2, 0.05, 0.2))
    assert measured.requests > 0 and measured.errors == 0


def test_grpc_echo_replays_the_recorded_answer():
    grpc = pytest.importorskip("grpc")
    with echo_subprocess("ovms_frontend_grpc.bench_echo", b"\x08\x01recorded") as port:
        channel = grpc.insecure_channel(f"127.0.0.1:{port}")
        call = channel.unary_unary("/inference.GRPCInferenceService/ModelInfer")
        assert call(b"anything", timeout=10) == b"\x08\x01recorded"
        channel.close()
