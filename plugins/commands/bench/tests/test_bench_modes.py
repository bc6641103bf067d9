"""The bench extension point: plugin load generators and the thread runner that measures them."""

import argparse
import subprocess
import sys
import time
import warnings
from contextlib import contextmanager

import ovms_command_bench
import pytest
from ovms_command_bench import BenchMode, hookspecs
from ovms_command_bench.command import BenchCommand
from ovms_command_bench.modes import measure_calls

import ovms_core
from ovms_core import hookimpl
from ovms_core.server.hooks import Hooks


@contextmanager
def _connect(_target, concurrency):
    yield [lambda: True] * concurrency


class _First:
    @hookimpl(optionalhook=True)
    def ovms_bench_modes(self, bench):
        return {"first": bench.BenchMode("grpc", _connect)}


class _Second:
    @hookimpl
    def ovms_bench_modes(self):
        return {"second": BenchMode("rest", _connect)}


def _modes(hooks):
    parser = argparse.ArgumentParser()
    BenchCommand().add_arguments(parser, hooks.manager.hook)
    args = parser.parse_args(["--model_path", "m"])
    return args.modes, args.plugin_modes


def test_modes_of_every_plugin_are_merged_into_the_command():
    hooks = Hooks(load_entry_points=False)
    hooks.register(_First(), name="first")  # before the spec exists, as hook plugins load
    hooks.add_hookspecs(hookspecs)
    hooks.register(_Second(), name="second")
    default, modes = _modes(hooks)
    assert sorted(modes) == ["first", "second"]
    assert modes["first"].frontend == "grpc"
    assert default == "rest-json,rest-binary,tfs-rest,first,second"


def test_the_hookspec_comes_through_the_hookspecs_group():
    assert Hooks().manager.hook.ovms_bench_modes.spec is not None
    done = subprocess.run(
        [sys.executable, "-m", "ovms_core", "bench", "--help"],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert done.returncode == 0, done.stderr
    assert "transport ceiling" in done.stdout and "warning" not in done.stderr


def test_grpc_bench_modes_have_a_transport_ceiling():
    pytest.importorskip("ovms_frontend_grpc")
    _, modes = _modes(Hooks())
    assert {"kserve-grpc", "tfs-grpc"} <= set(modes)
    assert modes["kserve-grpc"].frontend == "grpc"
    assert modes["kserve-grpc"].echo is not None and modes["tfs-grpc"].echo is not None


@pytest.mark.parametrize("name", ["BenchCall", "BenchMode", "BenchTarget", "echo_subprocess"])
def test_old_kernel_names_still_work_with_a_deprecation_warning(name):
    with pytest.warns(DeprecationWarning, match=f"ovms_core.{name} moved to ovms_command_bench"):
        found = getattr(ovms_core, name)
    assert found is getattr(ovms_command_bench, name)


def test_other_missing_kernel_names_are_plain_attribute_errors():
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        with pytest.raises(AttributeError, match="no attribute 'BenchNothing'"):
            ovms_core.BenchNothing  # noqa: B018


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
