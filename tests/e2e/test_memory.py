"""Memory does not grow across loads and unloads (measured in a process of its own)."""

import json
import subprocess
import sys
import textwrap

import pytest

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
    from ovms_core.dataplane.dataplane import Dataplane
    from ovms_core.models.manager import ModelManager
    from ovms_core.plugins.drivers import DriverLoader
    from ovms_core.plugins.hooks import Hooks
    from ovms_core.testing.models import dummy_model, save_version

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
        dataplane = Dataplane(manager)
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
