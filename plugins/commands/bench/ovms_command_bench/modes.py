"""Load generators that plugins add to ``ovms bench`` through the ``ovms_bench_modes`` hook."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Mapping, Sequence
from contextlib import AbstractContextManager
from dataclasses import dataclass

import numpy as np

from ovms_command_bench.stats import Measurement, summarize

__all__ = ["BenchCall", "BenchMode", "BenchTarget", "measure_calls"]

BenchCall = Callable[[], bool]
"""Send one request and block until its answer; True when it succeeded."""


@dataclass(frozen=True)
class BenchTarget:
    """The running server and the model a load generator sends requests to."""

    host: str
    rest_port: int
    grpc_port: int
    model_name: str
    inputs: Mapping[str, np.ndarray]
    """Input tensors by name, the same for every request."""


@dataclass(frozen=True)
class BenchMode:
    """One way to load the server, such as ``kserve-grpc``.

    ``connect(target, concurrency)`` is a context manager that prepares the request and the
    connections and yields ``concurrency`` calls, one per worker thread. Blocking clients that
    release the GIL (grpcio's, for instance) leave the most CPU to the server.
    """

    frontend: str
    """The frontend driver the server needs for this mode (``grpc``, ``rest``)."""
    connect: Callable[[BenchTarget, int], AbstractContextManager[Sequence[BenchCall]]]
    echo: Callable[[BenchTarget], AbstractContextManager[int]] | None = None
    """The transport ceiling: records the server's answer to this mode's request, starts a
    server (a subprocess, see ``echo_subprocess``) that gives it to every request without any
    model, and yields that server's port; ``connect`` is then pointed at it."""


def measure_calls(
    name: str, calls: Sequence[BenchCall], warmup: float, duration: float
) -> Measurement:
    """One thread per call, back to back; only calls started after ``warmup`` count."""
    begin = time.perf_counter()
    record_from = begin + warmup
    until = record_from + duration
    latencies: list[list[float]] = [[] for _ in calls]
    errors = [0 for _ in calls]

    def worker(index: int) -> None:
        call, mine = calls[index], latencies[index]
        while True:
            start = time.perf_counter()
            if start >= until:
                return
            succeeded = call()
            if start >= record_from:
                if succeeded:
                    mine.append(time.perf_counter() - start)
                else:
                    errors[index] += 1

    threads = [threading.Thread(target=worker, args=(i,), daemon=True) for i in range(len(calls))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    elapsed = max(time.perf_counter(), until) - record_from
    merged = [value for values in latencies for value in values]
    return summarize(name, len(calls), merged, sum(errors), elapsed)
