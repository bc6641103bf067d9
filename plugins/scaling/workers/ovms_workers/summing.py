"""Adding up the ``/metrics`` texts of several worker processes."""

from __future__ import annotations

from collections.abc import Sequence

__all__ = ["sum_texts"]


def sum_texts(texts: Sequence[bytes]) -> bytes:
    """Texts of several processes as one: each sample's values added up, in first-seen order.

    Counters, histograms and the gauges (requests in flight, infer requests, streams) all add
    up to the server's total across processes; comment lines are kept once.
    """
    lines: dict[str, float | None] = {}
    for text in texts:
        for line in text.decode().splitlines():
            if not line or line.startswith("#"):
                lines.setdefault(line, None)
                continue
            key, _, value = line.rpartition(" ")
            lines[key] = (lines.get(key) or 0.0) + float(value)
    summed = [key if value is None else f"{key} {_number(value)}" for key, value in lines.items()]
    return ("\n".join(summed) + "\n").encode() if summed else b""


def _number(value: float) -> str:
    return str(int(value)) if float(value).is_integer() else repr(float(value))
