"""The Prometheus text format, written as OVMS writes it (no ``_total`` or ``_created``)."""

from __future__ import annotations

from collections.abc import Iterable, Sequence

from ovms_metrics.families import BUCKETS_US, Family
from ovms_metrics.series import Histogram

__all__ = ["counter_lines", "gauge_lines", "head", "histogram_lines"]

Labels = Sequence[tuple[str, str]]


def _escape(value: str) -> str:
    return value.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n")


def _labels(labels: Labels) -> str:
    if not labels:
        return ""
    return "{" + ",".join(f'{k}="{_escape(v)}"' for k, v in labels) + "}"


def _number(value: float) -> str:
    return str(int(value)) if float(value).is_integer() else repr(float(value))


def head(family: Family) -> list[str]:
    """The ``# HELP`` and ``# TYPE`` lines."""
    return [f"# HELP {family.name} {family.help}", f"# TYPE {family.name} {family.kind}"]


def counter_lines(family: Family, series: Iterable[tuple[Labels, float]]) -> list[str]:
    """One sample line per labelled value (gauges are written the same way)."""
    return [f"{family.name}{_labels(labels)} {_number(value)}" for labels, value in series]


gauge_lines = counter_lines


def histogram_lines(family: Family, series: Iterable[tuple[Labels, Histogram]]) -> list[str]:
    """``_count``, ``_sum`` and one ``_bucket`` line per bound (``le`` last, then +Inf)."""
    lines = []
    name = family.name
    for labels, histogram in series:
        cumulative = histogram.cumulative()
        text = _labels(labels)
        lines.append(f"{name}_count{text} {cumulative[-1]}")
        lines.append(f"{name}_sum{text} {_number(histogram.sum)}")
        prefix = text[:-1] + "," if text else "{"
        for bound, count in zip(BUCKETS_US, cumulative, strict=False):
            lines.append(f'{name}_bucket{prefix}le="{bound}"}} {count}')
        lines.append(f'{name}_bucket{prefix}le="+Inf"}} {cumulative[-1]}')
    return lines
