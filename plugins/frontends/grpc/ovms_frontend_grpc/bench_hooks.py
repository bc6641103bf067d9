"""``ovms bench`` modes ``kserve-grpc`` and ``tfs-grpc`` (grpcio is imported only to run one)."""

from __future__ import annotations

from collections.abc import Sequence
from contextlib import AbstractContextManager

from ovms_core import BenchCall, BenchMode, BenchTarget, hookimpl

__all__ = ["ovms_bench_modes"]


def _kserve(target: BenchTarget, concurrency: int) -> AbstractContextManager[Sequence[BenchCall]]:
    from ovms_frontend_grpc.bench_load import connect_kserve

    return connect_kserve(target, concurrency)


def _tfs(target: BenchTarget, concurrency: int) -> AbstractContextManager[Sequence[BenchCall]]:
    from ovms_frontend_grpc.bench_load import connect_tfs

    return connect_tfs(target, concurrency)


def _kserve_echo(target: BenchTarget) -> AbstractContextManager[int]:
    from ovms_frontend_grpc.bench_load import echo_kserve

    return echo_kserve(target)


def _tfs_echo(target: BenchTarget) -> AbstractContextManager[int]:
    from ovms_frontend_grpc.bench_load import echo_tfs

    return echo_tfs(target)


@hookimpl
def ovms_bench_modes() -> dict[str, BenchMode]:
    """KServe ``ModelInfer`` with raw contents and TFS ``Predict`` with ``tensor_content``."""
    return {
        "kserve-grpc": BenchMode("grpc", _kserve, _kserve_echo),
        "tfs-grpc": BenchMode("grpc", _tfs, _tfs_echo),
    }
