"""REST transport under abuse and at shutdown: announced bodies, the body quota, draining."""

import http.client
import json
import socket
import time

import numpy as np
import pytest
from ovms_testing.models import dummy_model, save_version
from ovms_testing.server import ServerProcess


def _state(pid):
    with open(f"/proc/{pid}/stat", encoding="ascii") as stat:
        return stat.read().rsplit(")", 1)[1].split()[0]


def _rss_mib(pid):
    with open(f"/proc/{pid}/status", encoding="ascii") as status:
        for line in status:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    raise AssertionError("no VmRSS")


def _get(port, path):
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    try:
        connection.request("GET", path)
        reply = connection.getresponse()
        return reply.status, reply.read()
    finally:
        connection.close()


def _post(port, path, body):
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    try:
        connection.request("POST", path, body=body)
        reply = connection.getresponse()
        return reply.status, reply.read()
    finally:
        connection.close()


@pytest.fixture(scope="module")
def dynamic_repository(tmp_path_factory):
    root = tmp_path_factory.mktemp("transport_models")
    save_version(dummy_model((-1, 10)), str(root / "dynamic"), 1)
    return root


def _serve(repository, *flags):
    return ServerProcess(
        ["--model_name", "dynamic", "--model_path", str(repository / "dynamic"), *flags]
    )


def _stalled(port, path, declared):
    sock = socket.create_connection(("127.0.0.1", port))
    sock.sendall(
        f"POST {path} HTTP/1.1\r\nHost: x\r\nContent-Length: {declared}\r\n\r\n".encode()
        + b"{" * 100
    )
    return sock


@pytest.mark.parametrize("path", ["/v2/models/dynamic/infer", "/v1/models/dynamic:predict"])
def test_an_announced_body_costs_no_memory_until_it_arrives(dynamic_repository, path):
    with _serve(dynamic_repository) as server:
        before = _rss_mib(server.process.pid)
        sockets = [_stalled(server.rest_port, path, 1024**3) for _ in range(4)]
        try:
            time.sleep(1.0)  # let the server read the headers and the 100 bytes
            after = _rss_mib(server.process.pid)
            print(f"RSS {before:.0f} MiB -> {after:.0f} MiB with 4 x 1 GiB announced")
            assert after - before < 256
            assert _get(server.rest_port, "/v2/health/ready")[0] == 200
        finally:
            for sock in sockets:
                sock.close()


def _reply(sock):
    reply = http.client.HTTPResponse(sock)
    reply.begin()
    return reply.status, reply.read()


def test_bodies_over_the_quota_get_503_and_the_server_keeps_serving(dynamic_repository):
    path = "/v2/models/dynamic/infer"
    with _serve(dynamic_repository, "--rest_body_memory_quota", "1000000") as server:
        stalled = _stalled(server.rest_port, path, 900_000)
        try:
            stalled.sendall(b" " * 800_000)
            time.sleep(0.5)
            # Announced beyond what is left: its body is dropped as it arrives, then 503.
            with _stalled(server.rest_port, path, 400_000) as refused:
                refused.sendall(b" " * (400_000 - 100))
                status, body = _reply(refused)
            assert status == 503
            assert "--rest_body_memory_quota" in json.loads(body)["error"]
            # Unannounced (chunked) bodies are counted as they arrive.
            with socket.create_connection(("127.0.0.1", server.rest_port)) as chunked:
                chunked.sendall(
                    f"POST {path} HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n"
                    f"{300_000:x}\r\n".encode()
                    + b" " * 300_000
                    + b"\r\n0\r\n\r\n"
                )
                status, body = _reply(chunked)
            assert status == 503
        finally:
            stalled.close()
        time.sleep(0.5)  # the stalled connection's bytes are released once it closes
        document = {
            "inputs": [{"name": "b", "shape": [1, 10], "datatype": "FP32", "data": [0] * 10}]
        }
        status, body = _post(server.rest_port, path, json.dumps(document).encode())
        assert status == 200, body
        assert json.loads(body)["outputs"][0]["data"] == [1.0] * 10


def test_the_quota_is_in_serve_help():
    import subprocess
    import sys

    text = subprocess.run(
        [sys.executable, "-m", "ovms_core", "serve", "--help"],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    assert "--rest_body_memory_quota" in text and "2147483648" in text
    assert "--shutdown_timeout_seconds" in text


def test_health_answers_have_json_bodies(dynamic_repository):
    with _serve(dynamic_repository) as server:
        assert _get(server.rest_port, "/v2/health/live") == (200, b'{"live":true}')
        assert _get(server.rest_port, "/v2/health/ready") == (200, b'{"ready":true}')


def test_sigterm_lets_a_slow_reader_receive_the_whole_answer(dynamic_repository):
    rows = 16 * 1024 * 1024 // 40  # 16 MiB of FP32 output
    with _serve(dynamic_repository, "--shutdown_timeout_seconds", "60") as server:
        head = json.dumps(
            {
                "inputs": [
                    {
                        "name": "b",
                        "shape": [rows, 10],
                        "datatype": "FP32",
                        "parameters": {"binary_data_size": rows * 40},
                    }
                ],
                "outputs": [{"name": "a", "parameters": {"binary_data": True}}],
            }
        ).encode()
        tail = np.zeros((rows, 10), np.float32).tobytes()
        sock = socket.socket()
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 64 * 1024)
        sock.connect(("127.0.0.1", server.rest_port))
        sock.sendall(
            (
                "POST /v2/models/dynamic/infer HTTP/1.1\r\nHost: x\r\n"
                f"Content-Length: {len(head) + len(tail)}\r\n"
                f"Inference-Header-Content-Length: {len(head)}\r\n\r\n"
            ).encode()
            + head
            + tail
        )
        first = sock.recv(65536)  # the answer has started: the rest waits in write buffers
        time.sleep(0.5)
        server.process.send_signal(15)
        time.sleep(1.0)
        received = bytearray(first)
        while chunk := sock.recv(1 << 20):
            received += chunk
            time.sleep(0.001)  # a slow reader
        sock.close()
        headers, _, body = bytes(received).partition(b"\r\n\r\n")
        length = int(
            next(
                line.split(b":")[1]
                for line in headers.split(b"\r\n")
                if line.lower().startswith(b"content-length")
            )
        )
        print(f"received {len(body)} of {length} bytes of the answer")
        assert len(body) == length
        assert body.endswith(np.ones((rows, 10), np.float32).tobytes()[-1000:])
        assert server.process.wait(60) == 0


def test_other_clients_are_served_while_a_50_mb_json_request_is_decoded(dynamic_repository):
    import threading

    values = np.random.default_rng(0).random(5_000_000).round(6).tolist()
    big = json.dumps(
        {"inputs": [{"name": "b", "shape": [1, 10], "datatype": "FP32", "data": values}]}
    ).encode()
    small = json.dumps(
        {"inputs": [{"name": "b", "shape": [1, 10], "datatype": "FP32", "data": [0] * 10}]}
    ).encode()
    path = "/v2/models/dynamic/infer"
    with _serve(dynamic_repository) as server:
        for _ in range(2):  # the second big request finds the parser warm
            outcome = {}

            def send_big(outcome=outcome):
                started = time.perf_counter()
                outcome["answer"] = _post(server.rest_port, path, big)
                outcome["seconds"] = time.perf_counter() - started

            sender = threading.Thread(target=send_big)
            sender.start()
            latencies = []
            while sender.is_alive():
                started = time.perf_counter()
                assert _post(server.rest_port, path, small)[0] == 200
                latencies.append(time.perf_counter() - started)
            sender.join()
            status, body = outcome["answer"]
            assert status == 400, body
            latencies.sort()
            p99 = latencies[min(len(latencies) - 1, int(len(latencies) * 0.99))]
            print(
                f"{len(big) / 1e6:.0f} MB JSON answered {status} in {outcome['seconds']:.2f} s;"
                f" meanwhile {len(latencies)} small requests, p99 {p99 * 1000:.0f} ms,"
                f" max {latencies[-1] * 1000:.0f} ms"
            )


def test_large_json_bodies_decode_as_small_ones(dynamic_repository):
    from ovms_core import StatusCode

    rows = 100_000  # about 6 MB of JSON: parsed in the worker process
    values = np.arange(rows * 10, dtype=np.float32) % 97
    document = {
        "inputs": [{"name": "b", "shape": [rows, 10], "datatype": "FP32", "data": values.tolist()}]
    }
    body = json.dumps(document).encode()
    assert len(body) > 4 * 1024 * 1024
    path = "/v2/models/dynamic/infer"
    with _serve(dynamic_repository) as server:
        status, answer = _post(server.rest_port, path, body)
        assert status == 200, answer[:200]
        output = json.loads(answer)["outputs"][0]
        assert output["shape"] == [rows, 10]
        np.testing.assert_array_equal(np.asarray(output["data"], np.float32), values + 1)
        pid = server.process.pid
        with open(f"/proc/{pid}/task/{pid}/children", encoding="ascii") as listing:
            children = [int(child) for child in listing.read().split()]
        assert children  # the parser's worker process
        small_status, _ = _post(server.rest_port, path, b'{"inputs": [')
        status, answer = _post(server.rest_port, path, body[:-1])
        assert status == small_status == StatusCode.JSON_INVALID.http_status
        assert json.loads(answer)["error"].startswith(StatusCode.JSON_INVALID.message)
        assert server.stop() == 0
    # The worker ended with the server. multiprocessing's resource tracker, another child,
    # exits once it reads the end of its pipe from the exited server: a moment later.
    deadline = time.monotonic() + 10
    while any(_running(child) for child in children) and time.monotonic() < deadline:
        time.sleep(0.05)
    assert not any(_running(child) for child in children)


def _running(pid):
    try:
        return "Z" not in _state(pid)
    except FileNotFoundError:  # exited and reaped
        return False
