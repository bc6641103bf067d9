"""Memory does not grow across loads and unloads (measured in a process of its own)."""

import json
import subprocess
import sys
import textwrap
import time
import urllib.request
from concurrent.futures import ThreadPoolExecutor

import numpy as np
import openvino as ov
import openvino.opset13 as ops
import pytest
from ovms_testing.models import save_version
from ovms_testing.server import ServerProcess

psutil = pytest.importorskip("psutil")

CYCLES = 200
SETTLE = 10

SCRIPT = textwrap.dedent(
    """
    import asyncio, gc, json, sys, tempfile

    import openvino as ov
    import psutil

    from ovms_core import InferInput, InferRequest
    from ovms_core.config import ModelConfig, ServingConfig
    from ovms_core.server.assembly import build_dataplane
    from ovms_core.models.manager import ModelManager
    from ovms_core.plugins.drivers import DriverLoader
    from ovms_core.server.hooks import Hooks
    from ovms_testing.models import dummy_model, save_version

    cycles, settle = int(sys.argv[1]), int(sys.argv[2])

    async def settled_rss():
        # Lowest of a few reads: OpenVINO threads free a released model's memory a moment
        # later, which shows as a passing spike; memory that leaked stays in every read.
        gc.collect()
        reads = []
        for _ in range(5):
            await asyncio.sleep(0.05)
            reads.append(psutil.Process().memory_info().rss)
        return min(reads)

    async def main():
        root = tempfile.mkdtemp()
        save_version(dummy_model(), root + "/m", 1)
        hooks = Hooks(load_entry_points=False)
        manager = ModelManager(ov.Core(), DriverLoader(), hooks, warmup_inferences=1)
        dataplane = build_dataplane(manager)
        served = ServingConfig(models=(ModelConfig(name="m", base_path=root + "/m"),))
        data = bytes(40)
        rss = {}
        for cycle in range(1, cycles + 1):
            await manager.apply(served)
            request = InferRequest("m", None, [InferInput("b", "FP32", (1, 10), raw=data)])
            with await dataplane.infer(request):
                pass
            await manager.apply(ServingConfig())
            if cycle in (settle, cycles):
                rss[cycle] = await settled_rss()
        await manager.shutdown()
        print(json.dumps(rss))

    asyncio.run(main())
    """
)


def test_rss_stays_flat_across_load_unload_cycles():
    done = subprocess.run(
        [sys.executable, "-c", SCRIPT, str(CYCLES), str(SETTLE)],
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert done.returncode == 0, done.stderr
    rss = {int(k): v for k, v in json.loads(done.stdout.splitlines()[-1]).items()}
    growth = rss[CYCLES] / rss[SETTLE] - 1
    print(
        f"RSS after {SETTLE} cycles: {rss[SETTLE] >> 10} KiB; after {CYCLES}: "
        f"{rss[CYCLES] >> 10} KiB ({growth:+.2%})"
    )
    assert growth < 0.05


RELOAD_CYCLES = 60
RELOAD_SETTLE = 15
WINDOW = 10


def _weighted_model():
    """``y = x @ W`` with W f32 [1024, 4096]: 16 MiB of weights."""
    x = ops.parameter([1, 1024], ov.Type.f32, name="x")
    weights = np.random.default_rng(0).standard_normal((1024, 4096)).astype(np.float32)
    y = ops.matmul(x, ops.constant(weights), False, False)
    y.output(0).set_names({"y"})
    return ov.Model([y], [x], "weighted")


def _vm_rss_kib(pid):
    with open(f"/proc/{pid}/status") as status:
        for line in status:
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
    raise AssertionError("no VmRSS")


def test_server_rss_stays_flat_across_config_reload_cycles(tmp_path):
    """Loading and unloading a model through reloads leaves no heap growth behind.

    RSS moves by a weights buffer or so from one read to the next (memory that OpenVINO frees a
    moment later, or keeps cached for a while), so the lowest read of a window of cycles counts.
    """
    save_version(_weighted_model(), str(tmp_path / "weighted"), 1)
    config = tmp_path / "config.json"
    with_model = {"model_config_list": [{"config": {"name": "w", "base_path": "weighted"}}]}
    empty = {"model_config_list": []}
    config.write_text(json.dumps(empty))
    body = json.dumps(
        {"inputs": [{"name": "x", "shape": [1, 1024], "datatype": "FP32", "data": [0.5] * 1024}]}
    ).encode()

    def post(url, data=b"{}"):
        with urllib.request.urlopen(urllib.request.Request(url, data=data), timeout=60) as reply:
            assert reply.status == 200
            return reply.read()

    args = ["--config_path", str(config), "--file_system_poll_wait_seconds", "0"]
    reads = []
    with ServerProcess(args) as server, ThreadPoolExecutor(4) as clients:
        for _ in range(RELOAD_SETTLE + RELOAD_CYCLES):
            config.write_text(json.dumps(with_model))
            post(f"{server.rest_url}/v1/config/reload")
            infers = [
                clients.submit(post, f"{server.rest_url}/v2/models/w/infer", body) for _ in "ab"
            ]
            for infer in infers:
                infer.result()
            config.write_text(json.dumps(empty))
            post(f"{server.rest_url}/v1/config/reload")
            time.sleep(0.1)
            reads.append(_vm_rss_kib(server.process.pid))
    first = min(reads[RELOAD_SETTLE - WINDOW : RELOAD_SETTLE])
    last = min(reads[-WINDOW:])
    growth = last / first - 1
    print(
        f"VmRSS (lowest of {WINDOW} cycles) after {RELOAD_SETTLE} cycles: {first} KiB; "
        f"after {RELOAD_CYCLES} more: {last} KiB ({growth:+.2%})"
    )
    assert growth < 0.05
