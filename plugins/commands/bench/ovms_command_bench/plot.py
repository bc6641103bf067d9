"""``ovms bench --plot``: throughput and latency by concurrency (``ovms-command-bench[plot]``)."""

from __future__ import annotations

from typing import Any

__all__ = ["plot_results"]


def plot_results(rows: list[dict[str, Any]], path: str) -> None:
    """Draw one line per series (server modes, their transport ceilings, in-process) to ``path``."""
    try:
        import matplotlib

        matplotlib.use("Agg")
        import matplotlib.pyplot as plt
        import matplotlib.ticker
    except ImportError:
        needed = "--plot needs matplotlib: pip install 'ovms-command-bench[plot]'"
        raise SystemExit(needed) from None
    series: dict[str, list[dict[str, Any]]] = {}
    for row in rows:
        series.setdefault(row["name"], []).append(row)
    figure, (left, right) = plt.subplots(1, 2, figsize=(12, 4.5))
    for name, points in sorted(series.items()):
        points.sort(key=lambda p: p["concurrency"])
        x = [p["concurrency"] for p in points]
        style = "--" if name.startswith("transport") else ":" if name.startswith("in-") else "-"
        left.plot(x, [p["throughput"] for p in points], style, marker="o", label=name)
        right.plot(x, [p["p50_ms"] for p in points], style, marker="o", label=f"{name} p50")
    left.set(xlabel="concurrency", ylabel="requests/s", title="throughput", xscale="log")
    right.set(xlabel="concurrency", ylabel="ms", title="p50 latency", xscale="log", yscale="log")
    right.yaxis.set_major_formatter(matplotlib.ticker.ScalarFormatter())
    ticks = sorted({row["concurrency"] for row in rows})
    for axes in (left, right):
        axes.set_xticks(ticks, [str(t) for t in ticks])
        axes.minorticks_off()
    left.legend(fontsize="small")
    right.legend(fontsize="x-small")
    figure.tight_layout()
    figure.savefig(path, dpi=100)
