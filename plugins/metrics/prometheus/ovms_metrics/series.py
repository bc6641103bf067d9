"""Metric values: counters and histograms that cost one attribute update per event.

They are updated on the event loop thread (frontends and the dataplane run there) and read
when ``/metrics`` is scraped, on the same thread, so they need no lock.
"""

from __future__ import annotations

from bisect import bisect_left

from ovms_metrics.families import BUCKETS_US

__all__ = ["Counter", "Histogram", "InferenceSeries", "RequestSeries"]


class Counter:
    """A monotonically increasing count."""

    __slots__ = ("value",)

    def __init__(self) -> None:
        self.value = 0


class Histogram:
    """Observations (µs) counted in the OVMS buckets, plus their sum."""

    __slots__ = ("counts", "sum")

    def __init__(self) -> None:
        self.counts = [0] * (len(BUCKETS_US) + 1)
        self.sum = 0.0

    def observe(self, microseconds: float) -> None:
        """Count one observation."""
        self.counts[bisect_left(BUCKETS_US, microseconds)] += 1
        self.sum += microseconds

    def cumulative(self) -> list[int]:
        """Counts per bucket as exposed: each includes every smaller bucket; the last is +Inf."""
        total, result = 0, []
        for count in self.counts:
            total += count
            result.append(total)
        return result


class RequestSeries:
    """The series one (api, interface, method, name, version) call updates."""

    __slots__ = ("fail", "success", "time")

    def __init__(self, time: Histogram | None) -> None:
        self.success = Counter()
        self.fail = Counter()
        self.time = time
        """The request-time histogram (inference methods only)."""


class InferenceSeries:
    """Wait-for-infer-request and inference-time histograms of one model version."""

    __slots__ = ("inference", "wait")

    def __init__(self) -> None:
        self.wait = Histogram()
        self.inference = Histogram()

    def observe(self, wait_seconds: float, inference_seconds: float) -> None:
        """Record one inference: time waiting for a free infer request, then running."""
        self.wait.observe(wait_seconds * 1e6)
        self.inference.observe(inference_seconds * 1e6)
