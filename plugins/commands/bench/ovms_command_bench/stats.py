"""Throughput and latency summaries."""

from __future__ import annotations

from dataclasses import asdict, dataclass
from typing import Any

import numpy as np

__all__ = ["Measurement", "summarize"]


@dataclass(frozen=True)
class Measurement:
    """One measured configuration."""

    name: str
    concurrency: int
    requests: int
    errors: int
    seconds: float
    throughput: float
    p50_ms: float
    p90_ms: float
    p99_ms: float

    def to_json(self) -> dict[str, Any]:
        """As a JSON object."""
        return asdict(self)


def summarize(
    name: str, concurrency: int, latencies: list[float], errors: int, seconds: float
) -> Measurement:
    """Throughput and percentiles (milliseconds) from per-request latencies in seconds."""
    values = np.array(latencies or [0.0]) * 1000.0
    p50, p90, p99 = np.percentile(values, [50, 90, 99])
    return Measurement(
        name=name,
        concurrency=concurrency,
        requests=len(latencies),
        errors=errors,
        seconds=seconds,
        throughput=len(latencies) / seconds if seconds > 0 else 0.0,
        p50_ms=float(p50),
        p90_ms=float(p90),
        p99_ms=float(p99),
    )
