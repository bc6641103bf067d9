"""How long an OpenVINO completion callback waits for the GIL while the main thread is busy.

    python docs/probes/gil_convoy.py            # the interpreter's switch interval (5 ms)
    python docs/probes/gil_convoy.py 0.0005     # a shorter one

Two infer requests of a tiny model run back to back; their callbacks (run in OpenVINO's
threads) need the GIL, which the main thread holds while it runs pure Python, as a server's
event loop does between system calls. The figure printed is the time from ``start_async``
to the callback running, against ``infer()`` alone.
"""

import statistics
import sys
import time

import numpy as np
import openvino as ov
from ovms_testing.models import mlp_model


def main() -> None:
    if len(sys.argv) > 1:
        sys.setswitchinterval(float(sys.argv[1]))
    compiled = ov.Core().compile_model(mlp_model(), "CPU", {"PERFORMANCE_HINT": "THROUGHPUT"})
    requests = [compiled.create_infer_request() for _ in range(2)]
    data = np.random.default_rng(0).random((1, 64)).astype(np.float32)
    started = [0.0, 0.0]
    waits: list[float] = []
    finished: list[int] = []

    def completed(index: int) -> None:
        waits.append(time.perf_counter() - started[index])
        finished.append(index)

    for index, request in enumerate(requests):
        request.set_input_tensor(ov.Tensor(data, shared_memory=True))
        request.set_callback(completed, index)
    alone = time.perf_counter()
    for _ in range(200):
        requests[0].infer()
    alone = (time.perf_counter() - alone) / 200
    for index, request in enumerate(requests):
        started[index] = time.perf_counter()
        request.start_async()
    count, deadline = 0, time.perf_counter() + 3.0
    while time.perf_counter() < deadline:
        total = 0
        for k in range(200):  # pure Python work holding the GIL
            total += k * k
        while finished:
            index = finished.pop()
            requests[index].wait()
            started[index] = time.perf_counter()
            requests[index].start_async()
            count += 1
    for request in requests:
        request.wait()
    waits.sort()
    print(
        f"switch interval {sys.getswitchinterval() * 1e3:.2f} ms: {count / 3.0:.0f} inferences/s; "
        f"start_async to callback p50 {statistics.median(waits) * 1e6:.0f} us, "
        f"p90 {waits[int(0.9 * len(waits))] * 1e6:.0f} us; infer() alone {alone * 1e6:.0f} us"
    )


if __name__ == "__main__":
    main()
