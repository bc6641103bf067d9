"""Model lifecycle at run time, end to end: a server process, clients in this process.

Version folders and the config file change under a running server; clients keep sending
requests and none of them may fail.
"""

import http.client
import json
import os
import select
import shutil
import signal
import threading
import time

import numpy as np
import openvino as ov
import openvino.opset13 as ops
import psutil
import pytest
from ovms_testing.server import ServerProcess

WAIT_SECONDS = 60.0


def offset_model(offset: float) -> ov.Model:
    """``a = b + offset`` on ``b`` FP32 [1,10]: each version answers with its own offset."""
    b = ops.parameter([1, 10], ov.Type.f32, name="b")
    a = ops.add(b, ops.constant(np.float32(offset)))
    a.output(0).set_names({"a"})
    return ov.Model([a], [b], f"offset{offset:g}")


def slow_model(rounds: int, size: int = 2048) -> ov.Model:
    """``a = b + 1`` after a chain of ``rounds`` large matmuls on zeros derived from ``b``."""
    b = ops.parameter([1, 10], ov.Type.f32, name="b")
    axes = ops.constant(np.array([0, 1], dtype=np.int64))
    zero = ops.multiply(ops.reduce_sum(b, axes, False), ops.constant(np.float32(0)))
    big = ops.broadcast(zero, ops.constant(np.array([size, size], dtype=np.int64)))
    chain = big
    for _ in range(rounds):
        chain = ops.matmul(chain, big, False, False)
    a = ops.add(b, ops.add(ops.reduce_sum(chain, axes, False), ops.constant(np.float32(1))))
    a.output(0).set_names({"a"})
    return ov.Model([a], [b], "slow")


def rounds_lasting(seconds: float) -> int:
    """How many rounds make ``slow_model`` infer for about ``seconds`` of CPU on this machine.

    Machines differ by more than ten times here (bf16 against fp32 matmuls), so a fixed chain
    is either too short to be caught running or longer than the 10 s shutdown bound. CPU time,
    not wall time: on a loaded machine a wall-clock probe picks too few rounds for the tests'
    "the server burns CPU" check to see the inference running.
    """
    probe_rounds = 4
    compiled = ov.Core().compile_model(slow_model(probe_rounds), "CPU")
    compiled({0: np.zeros((1, 10), np.float32)})  # first call pays one-off costs
    started = time.process_time()
    compiled({0: np.zeros((1, 10), np.float32)})
    per_round = max(time.process_time() - started, 1e-6) / probe_rounds
    return max(probe_rounds, min(400, round(seconds / per_round)))


def publish(model: ov.Model, base: str, version: int) -> None:
    """Write a version folder next to ``base`` and rename it in, as a deployment would."""
    staging = os.path.join(os.path.dirname(base), f".staging-{os.path.basename(base)}-{version}")
    os.makedirs(staging)
    ov.save_model(model, os.path.join(staging, "model.xml"), compress_to_fp16=False)
    os.makedirs(base, exist_ok=True)
    os.rename(staging, os.path.join(base, str(version)))


def replace_files(model: ov.Model, folder: str, staging) -> None:
    """Overwrite a version's files in place: weights first, then the topology."""
    os.makedirs(staging)
    ov.save_model(model, os.path.join(staging, "model.xml"), compress_to_fp16=False)
    os.replace(os.path.join(staging, "model.bin"), os.path.join(folder, "model.bin"))
    os.replace(os.path.join(staging, "model.xml"), os.path.join(folder, "model.xml"))


def write_config(path, models) -> None:
    """Replace the config file atomically (the server may read it at any moment)."""
    document = {"model_config_list": [{"config": m} for m in models]}
    staging = f"{path}.tmp"
    with open(staging, "w") as handle:
        json.dump(document, handle)
    os.replace(staging, path)


def infer_body(values: np.ndarray) -> bytes:
    return json.dumps(
        {"inputs": [{"name": "b", "shape": [1, 10], "datatype": "FP32", "data": values.tolist()}]}
    ).encode()


def wait_for(condition, what: str) -> None:
    deadline = time.monotonic() + WAIT_SECONDS
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError(f"gave up waiting for {what}")
        time.sleep(0.05)


class Clients:
    """Threads sending requests for the default version of one model over keep-alive HTTP."""

    def __init__(self, port: int, model: str, threads: int = 3) -> None:
        self.port = port
        self.model = model
        self.stop = threading.Event()
        self.lock = threading.Lock()
        self.sent = 0
        self.failures: list[str] = []
        self.offsets: list[list[float]] = [[] for _ in range(threads)]
        self.last: float | None = None
        self.threads = [threading.Thread(target=self._run, args=(i,)) for i in range(threads)]

    def __enter__(self):
        for thread in self.threads:
            thread.start()
        return self

    def __exit__(self, *_exc):
        self.stop.set()
        for thread in self.threads:
            thread.join()

    def _run(self, seed: int) -> None:
        connection = http.client.HTTPConnection("127.0.0.1", self.port, timeout=30)
        values = np.arange(10, dtype=np.float32) + seed
        path = f"/v2/models/{self.model}/infer"
        while not self.stop.is_set():
            try:
                connection.request("POST", path, infer_body(values))
                reply = connection.getresponse()
                body = reply.read()
            except (OSError, http.client.HTTPException) as error:
                self._record(seed, failure=f"{type(error).__name__}: {error}")
                connection.close()
                connection = http.client.HTTPConnection("127.0.0.1", self.port, timeout=30)
                continue
            if reply.status != 200:
                self._record(seed, failure=f"{reply.status} {body[:200]!r}")
                continue
            data = np.array(json.loads(body)["outputs"][0]["data"], dtype=np.float32)
            offset = data - values
            if not np.all(offset == offset[0]):
                self._record(seed, failure=f"inconsistent output {data}")
                continue
            self._record(seed, offset=float(offset[0]))
        connection.close()

    def _record(self, thread: int, failure: str | None = None, offset: float = 0.0) -> None:
        with self.lock:
            self.sent += 1
            seen = self.offsets[thread]
            if failure is not None:
                self.failures.append(failure)
            elif not seen or seen[-1] != offset:
                seen.append(offset)
            self.last = offset

    def latest(self) -> float | None:
        with self.lock:
            return self.last

    def count(self) -> int:
        with self.lock:
            return self.sent


def get_json(port: int, path: str):
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
    try:
        connection.request("GET", path)
        reply = connection.getresponse()
        return reply.status, json.loads(reply.read() or b"null")
    finally:
        connection.close()


def post_infer(port: int, model: str, values: np.ndarray, version: int | None = None):
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
    path = f"/v2/models/{model}" + (f"/versions/{version}" if version else "") + "/infer"
    try:
        connection.request("POST", path, infer_body(values))
        reply = connection.getresponse()
        return reply.status, json.loads(reply.read())
    finally:
        connection.close()


@pytest.fixture
def live_repository(tmp_path):
    root = tmp_path / "models"
    publish(offset_model(1), str(root / "live"), 1)
    publish(offset_model(100), str(root / "stable"), 1)
    return root


def test_zero_failed_requests_while_versions_and_config_change(live_repository, tmp_path):
    root = live_repository
    live = str(root / "live")
    config = tmp_path / "config.json"
    live_config = {"name": "live", "base_path": live}
    stable_config = {"name": "stable", "base_path": str(root / "stable")}
    write_config(config, [live_config, stable_config])
    args = ["--config_path", str(config), "--file_system_poll_wait_seconds", "1"]
    with ServerProcess(args) as server, Clients(server.rest_port, "live") as clients:
        port = server.rest_port

        def serving(offset):
            return lambda: clients.latest() == offset

        wait_for(serving(1), "version 1")
        publish(offset_model(2), live, 2)  # a new version: loaded beside, default switches
        wait_for(serving(2), "version 2")
        publish(offset_model(3), live, 3)  # replaced: version 3 in, version 2 out
        shutil.rmtree(os.path.join(live, "2"))
        wait_for(serving(3), "version 3")
        shutil.rmtree(os.path.join(live, "3"))  # removed: back to version 1, loaded again
        wait_for(serving(1), "version 1 again")
        # A changed model config reloads every version beside the serving one.
        write_config(config, [{**live_config, "nireq": 2}, stable_config])
        wait_for(lambda: server.log().count("Loaded model live; version: 1") >= 3, "reload")
        # Models added and removed beside it.
        write_config(config, [{**live_config, "nireq": 2}])
        wait_for(lambda: get_json(port, "/v2/models/stable/ready")[0] == 404, "stable removed")
        write_config(config, [{**live_config, "nireq": 2}, stable_config])
        wait_for(lambda: get_json(port, "/v2/models/stable/ready")[0] == 200, "stable back")
        status, answer = post_infer(port, "stable", np.zeros(10, dtype=np.float32))
        assert (status, answer["outputs"][0]["data"]) == (200, [100.0] * 10)
        before = clients.count()
        wait_for(lambda: clients.count() > before + 20, "more requests")

    print(f"{clients.sent} requests across the changes, {len(clients.failures)} failed")
    assert clients.failures == []
    # Each client saw every switch in order and never went back to a replaced version.
    assert clients.offsets == [[1.0, 2.0, 3.0, 1.0]] * len(clients.threads)
    assert clients.sent > 100


def test_failed_load_reports_and_later_fixed_files_are_picked_up(live_repository, tmp_path):
    root = live_repository
    live = str(root / "live")
    broken = root / "broken" / "1"
    broken.mkdir(parents=True)
    (broken / "model.xml").write_text("<net>not a model</net>")
    (broken / "model.bin").write_bytes(b"")
    config = tmp_path / "config.json"
    write_config(
        config,
        [
            {"name": "live", "base_path": live},
            {"name": "broken", "base_path": str(root / "broken")},
            {"name": "stable", "base_path": str(root / "stable")},
        ],
    )
    args = ["--config_path", str(config), "--file_system_poll_wait_seconds", "1"]
    with ServerProcess(args) as server:
        port = server.rest_port
        # A model whose only version failed: not ready, requests fail at once with the OVMS
        # status, and the other models serve.
        assert get_json(port, "/v2/models/broken/ready")[0] == 404
        status, answer = post_infer(port, "broken", np.zeros(10, dtype=np.float32), version=1)
        assert (status, answer) == (
            404,
            {"error": "Model with requested version is not loaded yet"},
        )
        assert post_infer(port, "stable", np.zeros(10, dtype=np.float32))[0] == 200
        assert "Error loading model broken version 1" in server.log()

        # A corrupt new version of a serving model: the serving version stays in service.
        corrupt = tmp_path / "corrupt"
        corrupt.mkdir()
        (corrupt / "model.xml").write_text("<net>half written</net>")
        (corrupt / "model.bin").write_bytes(b"\0" * 7)
        os.rename(corrupt, os.path.join(live, "2"))
        wait_for(lambda: "Error loading model live version 2" in server.log(), "failed load")
        status, answer = post_infer(port, "live", np.zeros(10, dtype=np.float32))
        assert (status, answer["model_version"]) == (200, "1")
        assert get_json(port, "/v2/models/live/versions/2/ready")[0] == 404

        # Fixing the files is enough: the next poll loads them.
        replace_files(offset_model(1), str(broken), tmp_path / "fix1")
        replace_files(offset_model(2), os.path.join(live, "2"), tmp_path / "fix2")
        wait_for(lambda: get_json(port, "/v2/models/broken/ready")[0] == 200, "broken fixed")
        wait_for(lambda: get_json(port, "/v2/models/live/versions/1/ready")[0] == 404, "v1 out")
        status, answer = post_infer(port, "live", np.zeros(10, dtype=np.float32))
        assert (status, answer["model_version"], answer["outputs"][0]["data"]) == (
            200,
            "2",
            [2.0] * 10,
        )
        status, answer = post_infer(port, "broken", np.arange(10, dtype=np.float32))
        assert (status, answer["outputs"][0]["data"]) == (200, [float(i + 1) for i in range(10)])
        # Each failure was logged once, not at every poll while the files stayed broken.
        assert server.log().count("Error loading model broken version 1") == 1
        assert server.log().count("Error loading model live version 2") == 1


def test_sigterm_drains_running_requests_then_exits_zero(tmp_path):
    # Long enough to be caught running, well inside the 10 s drain bound on a busy machine.
    publish(slow_model(rounds_lasting(1.5)), str(tmp_path / "slow"), 1)
    args = ["--model_name", "slow", "--model_path", str(tmp_path / "slow")]
    with ServerProcess([*args, "--warmup_inferences", "0"]) as server:
        server_process = psutil.Process(server.process.pid)
        connection = http.client.HTTPConnection("127.0.0.1", server.rest_port, timeout=120)
        connection.request("GET", "/v2/models/slow")  # an accepted, kept-alive connection
        assert connection.getresponse().read()
        idle = sum(server_process.cpu_times()[:2])
        connection.request("POST", "/v2/models/slow/infer", infer_body(np.arange(10.0)))
        # The inference is running once the server burns CPU; its answer is not there yet.
        wait_for(lambda: sum(server_process.cpu_times()[:2]) > idle + 0.3, "inference")
        assert select.select([connection.sock], [], [], 0)[0] == []
        server.process.send_signal(signal.SIGTERM)
        reply = connection.getresponse()
        body = json.loads(reply.read())
        assert server.process.wait(60) == 0, server.log()
        assert reply.status == 200
        assert body["outputs"][0]["data"] == [float(i + 1) for i in range(10)]
        log = server.log()
        assert log.index("Stopping: no new connections") < log.index("Server stopped")
        assert "still running" not in log
