"""``ovms bench`` modes ``kserve-grpc`` and ``tfs-grpc`` (grpcio is imported only to run one).

The hook belongs to ovms-command-bench, which hands its API in as ``bench``: this plugin imports
only ``ovms_core``, and loads without ovms-command-bench (the hook is then never called).
"""

from __future__ import annotations

from collections.abc import Sequence
from contextlib import AbstractContextManager
from functools import partial
from typing import TYPE_CHECKING, Any

from ovms_core import hookimpl

if TYPE_CHECKING:
    from ovms_frontend_grpc.bench_load import Call, RunEcho, Target

__all__ = ["ovms_bench_modes"]


def _kserve(target: Target, concurrency: int) -> AbstractContextManager[Sequence[Call]]:
    from ovms_frontend_grpc.bench_load import connect_kserve

    return connect_kserve(target, concurrency)


def _tfs(target: Target, concurrency: int) -> AbstractContextManager[Sequence[Call]]:
    from ovms_frontend_grpc.bench_load import connect_tfs

    return connect_tfs(target, concurrency)


def _kserve_echo(run_echo: RunEcho, target: Target) -> AbstractContextManager[int]:
    from ovms_frontend_grpc.bench_load import echo_kserve

    return echo_kserve(target, run_echo)


def _tfs_echo(run_echo: RunEcho, target: Target) -> AbstractContextManager[int]:
    from ovms_frontend_grpc.bench_load import echo_tfs

    return echo_tfs(target, run_echo)


@hookimpl(optionalhook=True)
def ovms_bench_modes(bench: Any) -> dict[str, Any]:
    """KServe ``ModelInfer`` with raw contents and TFS ``Predict`` with ``tensor_content``."""
    return {
        "kserve-grpc": bench.BenchMode(
            "grpc", _kserve, partial(_kserve_echo, bench.echo_subprocess)
        ),
        "tfs-grpc": bench.BenchMode("grpc", _tfs, partial(_tfs_echo, bench.echo_subprocess)),
    }
