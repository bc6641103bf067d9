"""Counting one gRPC call in ``ovms_requests_success`` / ``ovms_requests_fail``."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from time import perf_counter

from ovms_core import Metrics

__all__ = ["CountedCall", "counted"]


@dataclass
class CountedCall:
    """What the block learns about its call: the version, and whether it counts as a success."""

    version: int | None = None
    success: bool = True


@contextmanager
def counted(
    metrics: Metrics, api: str, method: str, name: str, timed: bool = False
) -> Iterator[CountedCall]:
    """Count the call made in the block: a failure when it raises, else ``call.success``.

    With ``timed``, a success also records the block's duration as the request time.
    """
    started = perf_counter()
    call = CountedCall()
    try:
        yield call
    except Exception:
        metrics.request_done(api, "gRPC", method, name, call.version, False)
        raise
    seconds = perf_counter() - started if timed else None
    metrics.request_done(api, "gRPC", method, name, call.version, call.success, seconds)
