"""``--workers 2``: two serving processes on the same ports behave as one server."""

import http.client
import json
import os
import signal
import subprocess
import sys
import time

import grpc
import numpy as np
import psutil
import pytest

pytest.importorskip("ovms_frontend_grpc")
from ovms_frontend_grpc._generated.ovms import grpc_predict_v2_pb2 as pb
from ovms_frontend_grpc._generated.ovms import grpc_predict_v2_pb2_grpc as pb_grpc
from ovms_testing.models import dummy_model, running_sum_model, save_version
from ovms_testing.server import ServerProcess, free_port

CONNECTIONS = 16


def write_config(path, names):
    models = [{"config": {"name": name, "base_path": str(path.parent / "dummy")}} for name in names]
    models.append(
        {"config": {"name": "sum", "base_path": str(path.parent / "sum"), "stateful": True}}
    )
    path.write_text(json.dumps({"model_config_list": models}))


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    root = tmp_path_factory.mktemp("workers")
    save_version(dummy_model(), str(root / "dummy"), 1)
    save_version(running_sum_model(), str(root / "sum"), 1)
    config = root / "config.json"
    write_config(config, ["dummy"])
    args = ["--config_path", str(config), "--port", str(free_port()), "--workers", "2"]
    args += ["--metrics_enable", "--file_system_poll_wait_seconds", "0"]
    with ServerProcess(args) as running:
        running.config = config
        running.workers = wait_for_workers(running, 2)
        yield running


def wait_for_workers(server, count):
    """The worker processes, once each of them listens on the REST port."""
    supervisor = psutil.Process(server.process.pid)
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        workers = supervisor.children()
        listening = [w for w in workers if _listens(w, server.rest_port)]
        if len(listening) == count:
            return listening
        time.sleep(0.1)
    raise AssertionError(f"not {count} workers listening:\n{server.log()}")


def _listens(process, port):
    return any(
        c.status == psutil.CONN_LISTEN and c.laddr.port == port
        for c in process.net_connections("tcp")
    )


def connections_by_worker(server):
    """Open REST connections until each worker holds at least one: {worker pid: [connection]}."""
    found = {w.pid: [] for w in server.workers}
    for _ in range(20):
        opened = []
        for _ in range(CONNECTIONS):
            connection = http.client.HTTPConnection("127.0.0.1", server.rest_port, timeout=30)
            connection.connect()
            opened.append(connection)
        for worker in server.workers:
            ports = {
                c.raddr.port
                for c in worker.net_connections("tcp")
                if c.raddr and c.laddr.port == server.rest_port
            }
            for connection in opened:
                if connection.sock.getsockname()[1] in ports:
                    found[worker.pid].append(connection)
        if all(found.values()):
            return found
    raise AssertionError(f"connections never reached every worker: {found}")


def call(connection, method, path, document=None):
    body = json.dumps(document).encode() if document is not None else None
    connection.request(method, path, body)
    reply = connection.getresponse()
    text = reply.read()
    return reply.status, (json.loads(text) if text and text[:1] == b"{" else text)


def dummy_input():
    return {"inputs": [{"name": "b", "shape": [1, 10], "datatype": "FP32", "data": [1.0] * 10}]}


def success_count(server, interface, name):
    connection = http.client.HTTPConnection("127.0.0.1", server.rest_port, timeout=30)
    status, text = call(connection, "GET", "/metrics")
    assert status == 200
    wanted = (
        f'ovms_requests_success{{api="KServe",interface="{interface}",method="ModelInfer",'
        f'name="{name}",version="1"}} '
    )
    lines = [line for line in text.decode().splitlines() if line.startswith(wanted)]
    assert len(lines) == 1, text
    return int(lines[0].split()[-1])


def test_metrics_add_up_every_workers_requests(server):
    by_worker = connections_by_worker(server)
    before = success_count(server, "REST", "dummy")
    sent = 0
    for connections in by_worker.values():
        for connection in connections:
            status, body = call(connection, "POST", "/v2/models/dummy/infer", dummy_input())
            assert status == 200, body
            assert body["outputs"][0]["data"] == [2.0] * 10
            sent += 1
    for _ in range(5):  # whichever worker answers the scrape
        assert success_count(server, "REST", "dummy") == before + sent


def test_grpc_calls_reach_the_workers_and_count(server):
    before = success_count(server, "gRPC", "dummy")
    request = pb.ModelInferRequest(model_name="dummy")
    request.inputs.add(name="b", datatype="FP32", shape=[1, 10])
    request.raw_input_contents.append(np.ones(10, np.float32).tobytes())
    for _ in range(CONNECTIONS):
        with grpc.insecure_channel(f"127.0.0.1:{server.grpc_port}") as channel:
            reply = pb_grpc.GRPCInferenceServiceStub(channel).ModelInfer(request, timeout=30)
        assert np.frombuffer(reply.raw_output_contents[0], np.float32).tolist() == [2.0] * 10
    assert success_count(server, "gRPC", "dummy") == before + CONNECTIONS


def test_a_sequence_keeps_its_state_whichever_worker_it_reaches(server):
    first, second = (connections[0] for connections in connections_by_worker(server).values())
    expected = 0.0
    for step in range(1, 7):
        parameters = {"sequence_id": 77, "sequence_start": step == 1, "sequence_end": step == 6}
        document = {
            "inputs": [{"name": "x", "shape": [1, 4], "datatype": "FP32", "data": [step] * 4}],
            "parameters": parameters,
        }
        status, body = call(first if step % 2 else second, "POST", "/v2/models/sum/infer", document)
        expected += step
        assert status == 200, body
        assert body["outputs"][0]["data"] == [expected] * 4
        assert body["parameters"]["sequence_id"] == 77
    status, body = call(second, "POST", "/v2/models/sum/infer", document)
    assert (status, body) == (404, {"error": "Sequence with provided ID does not exist"})


def test_config_reload_on_one_worker_reloads_every_worker(server):
    write_config(server.config, ["dummy", "added"])
    by_worker = connections_by_worker(server)
    first = next(iter(by_worker.values()))[0]
    status, body = call(first, "POST", "/v1/config/reload")
    assert status == 200, body
    assert "added" in body
    for connections in by_worker.values():  # no poller runs: the reload reached each worker
        status, _ = call(connections[0], "GET", "/v2/models/added/ready")
        assert status == 200


def test_versions_appear_on_every_worker(tmp_path):
    save_version(dummy_model(), str(tmp_path / "dummy"), 1)
    args = ["--model_name", "dummy", "--model_path", str(tmp_path / "dummy"), "--workers", "2"]
    with ServerProcess(args) as running:
        running.workers = wait_for_workers(running, 2)
        save_version(dummy_model(), str(tmp_path / "dummy"), 2)
        deadline = time.monotonic() + 30
        waiting = connections_by_worker(running)
        while waiting and time.monotonic() < deadline:
            for pid in list(waiting):
                status, _ = call(waiting[pid][0], "GET", "/v2/models/dummy/versions/2/ready")
                if status == 200:
                    del waiting[pid]
            time.sleep(0.2)
        assert not waiting, running.log()


def test_sigterm_stops_every_worker_cleanly(tmp_path):
    save_version(dummy_model(), str(tmp_path / "dummy"), 1)
    args = ["--model_name", "dummy", "--model_path", str(tmp_path / "dummy"), "--workers", "2"]
    running = ServerProcess(args).start()
    workers = wait_for_workers(running, 2)
    assert running.stop() == 0, running.log()
    assert not any(w.is_running() and w.status() != psutil.STATUS_ZOMBIE for w in workers)
    assert running.log().count("Server stopped") == 2


def test_a_worker_that_dies_stops_the_server(tmp_path):
    save_version(dummy_model(), str(tmp_path / "dummy"), 1)
    args = ["--model_name", "dummy", "--model_path", str(tmp_path / "dummy"), "--workers", "2"]
    running = ServerProcess(args).start()
    workers = wait_for_workers(running, 2)
    os.kill(workers[0].pid, signal.SIGKILL)
    assert running.process.wait(60) != 0
    workers[1].wait(30)
    assert "stopping the others" in running.log()


def test_workers_out_of_range_is_a_usage_error(tmp_path):
    save_version(dummy_model(), str(tmp_path / "dummy"), 1)
    command = [sys.executable, "-m", "ovms_core", "validate", "--workers", "0", "--rest_port", "1"]
    command += ["--model_name", "dummy", "--model_path", str(tmp_path / "dummy")]
    done = subprocess.run(command, capture_output=True, text=True, timeout=60)
    assert done.returncode == 64
    assert "workers count should be from 1 to 256" in done.stderr


def test_a_sequence_over_grpc_keeps_its_state_on_new_connections(server):
    expected = 0.0
    for step in range(1, 5):
        request = pb.ModelInferRequest(model_name="sum")
        request.inputs.add(name="x", datatype="FP32", shape=[1, 4])
        request.raw_input_contents.append(np.full(4, step, np.float32).tobytes())
        request.parameters["sequence_id"].int64_param = 78
        request.parameters["sequence_start"].bool_param = step == 1
        request.parameters["sequence_end"].bool_param = step == 4
        with grpc.insecure_channel(f"127.0.0.1:{server.grpc_port}") as channel:
            reply = pb_grpc.GRPCInferenceServiceStub(channel).ModelInfer(request, timeout=30)
        expected += step
        assert np.frombuffer(reply.raw_output_contents[0], np.float32).tolist() == [expected] * 4
        assert reply.parameters["sequence_id"].int64_param == 78


def test_help_shows_the_workers_flag_with_its_default():
    command = [sys.executable, "-m", "ovms_core", "serve", "--help"]
    done = subprocess.run(command, capture_output=True, text=True, timeout=60)
    text = " ".join(done.stdout.split())
    assert done.returncode == 0
    assert "--workers WORKERS serving processes sharing --port and --rest_port" in text
    assert "apply inside each process; default: 1)" in text
