"""The ceiling: the same model compiled in this process, driven by OpenVINO's async queue."""

from __future__ import annotations

import time
from typing import Any

import numpy as np
import openvino as ov

from ovms_command_bench.stats import Measurement, summarize

__all__ = ["measure_in_process", "measure_in_process_sync"]


def _compile(model_file: str, properties: dict[str, Any]) -> ov.CompiledModel:
    core = ov.Core()
    return core.compile_model(core.read_model(model_file), "CPU", properties)


def measure_in_process_sync(
    model_file: str,
    inputs: dict[str, np.ndarray],
    properties: dict[str, Any],
    warmup: float,
    duration: float,
) -> Measurement:
    """One infer request, ``infer`` back to back: the latency floor a server adds to.

    The benchmark's latency target is set against this (its p50, at concurrency 1).
    """
    request = _compile(model_file, properties).create_infer_request()
    for name, array in inputs.items():
        request.set_tensor(name, ov.Tensor(array, shared_memory=True))
    latencies: list[float] = []
    measuring_since = time.perf_counter() + warmup
    deadline = measuring_since + duration
    while True:
        started = time.perf_counter()
        if started >= deadline:
            break
        request.infer()
        if started >= measuring_since:
            latencies.append(time.perf_counter() - started)
    return summarize("in-process sync", 1, latencies, 0, duration)


def measure_in_process(
    model_file: str,
    inputs: dict[str, np.ndarray],
    properties: dict[str, Any],
    concurrency: int,
    warmup: float,
    duration: float,
) -> Measurement:
    """Keep infer requests busy back to back for ``duration`` seconds.

    The best the device can do with these ``properties``: as many requests in flight as the
    concurrency or the device's optimal number, whichever is larger, so a server ratio near 1
    means nothing was lost on the way.
    """
    compiled = _compile(model_file, properties)
    optimal = int(compiled.get_property("OPTIMAL_NUMBER_OF_INFER_REQUESTS"))
    jobs = max(concurrency, optimal)
    queue = ov.AsyncInferQueue(compiled, jobs)
    latencies: list[float] = []
    started: dict[int, float] = {}
    state = {"record": False, "stop": False}

    def done(request: ov.InferRequest, job: int) -> None:
        if state["record"]:
            latencies.append(time.perf_counter() - started[job])

    queue.set_callback(done)
    job = 0
    deadline = time.perf_counter() + warmup
    measuring_since = 0.0
    while True:
        now = time.perf_counter()
        if not state["record"] and now >= deadline:
            queue.wait_all()
            latencies.clear()
            state["record"] = True
            measuring_since = time.perf_counter()
            deadline = measuring_since + duration
        elif state["record"] and now >= deadline:
            break
        started[job % (jobs * 4)] = time.perf_counter()
        queue.start_async(inputs, job % (jobs * 4))
        job += 1
    queue.wait_all()
    elapsed = time.perf_counter() - measuring_since
    return summarize("in-process OpenVINO", concurrency, latencies, 0, elapsed)
