"""The bench extension point: plugin load generators and the thread runner that measures them."""

import time
from contextlib import contextmanager

from ovms_core import BenchMode, hookimpl
from ovms_core.bench.modes import measure_calls
from ovms_core.server.hooks import Hooks


@contextmanager
def _connect(_target, concurrency):
    yield [lambda: True] * concurrency


class _First:
    @hookimpl
    def ovms_bench_modes(self):
        return {"first": BenchMode("grpc", _connect)}


class _Second:
    @hookimpl
    def ovms_bench_modes(self):
        return {"second": BenchMode("rest", _connect)}


def test_modes_of_every_plugin_are_merged():
    hooks = Hooks(load_entry_points=False)
    hooks.register(_First(), name="first")
    hooks.register(_Second(), name="second")
    modes = hooks.bench_modes()
    assert sorted(modes) == ["first", "second"]
    assert modes["first"].frontend == "grpc"


def test_measure_calls_counts_successes_and_failures_after_warmup():
    def succeed():
        time.sleep(0.001)
        return True

    def fail():
        time.sleep(0.001)
        return False

    measured = measure_calls("probe", [succeed, fail], warmup=0.01, duration=0.05)
    assert measured.name == "probe"
    assert measured.concurrency == 2
    assert measured.requests > 0
    assert measured.errors > 0
    assert measured.throughput > 0
