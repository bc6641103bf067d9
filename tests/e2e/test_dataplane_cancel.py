"""Callers cancelled while their inference runs (clients that leave): no crash, no leak.

The scenario runs in a subprocess with glibc's mmap threshold fixed, so every input buffer is
unmapped when freed: an inference that still read a cancelled caller's memory would crash it.
"""

import os
import subprocess
import sys
import textwrap

SCENARIO = textwrap.dedent(
    """
    import asyncio, gc, sys
    import numpy as np, openvino as ov
    from ovms_core import InferInput, InferRequest
    from ovms_core.config import ModelConfig, ServingConfig
    from ovms_core.server.assembly import build_dataplane
    from ovms_core.models.manager import ModelManager
    from ovms_core.plugins.drivers import DriverLoader
    from ovms_core.server.hooks import Hooks

    def request():
        data = np.ones((64, 1024), np.float32).tobytes()  # a fresh buffer per request
        return InferRequest("slow", None, [InferInput("x", "FP32", [64, 1024], raw=data)])

    async def main():
        manager = ModelManager(ov.Core(), DriverLoader(), Hooks(load_entry_points=False))
        config = ModelConfig(name="slow", base_path=sys.argv[1], nireq=2)
        await manager.apply(ServingConfig(models=(config,)))
        dataplane = build_dataplane(manager)
        with await dataplane.infer(request()) as result:
            reference = result.outputs[0].data.copy()
        for _ in range(60):
            tasks = [asyncio.create_task(dataplane.infer(request())) for _ in range(4)]
            await asyncio.sleep(0)  # the first two are running, the others wait
            for task in tasks:
                task.cancel()
            await asyncio.gather(*tasks, return_exceptions=True)
            del tasks
            gc.collect()
        for _ in range(3):
            with await dataplane.infer(request()) as result:
                assert np.array_equal(result.outputs[0].data, reference)
        await manager.shutdown()
        print("ok")

    asyncio.run(main())
    """
)


def test_cancelled_callers_keep_their_inputs_alive_until_inference_ends(repository):
    done = subprocess.run(
        [sys.executable, "-c", SCENARIO, str(repository / "slow")],
        capture_output=True,
        text=True,
        timeout=300,
        env=dict(os.environ, MALLOC_MMAP_THRESHOLD_="131072"),
    )
    assert done.returncode == 0, f"exit {done.returncode}: {done.stderr[-2000:]}"
    assert done.stdout.strip() == "ok"
