"""Per-version inference statistics in the KServe statistics extension's format.

Fed by the server's model kind with the same measurements as the metrics plugin's histograms (always
on, not only with ``--metrics_enable``): ``queue`` is the wait for a free infer request (or for
a merged inference to start), ``compute_input`` the validation and input conversion before it,
``compute_infer`` the inference, ``compute_output`` gathering the output views after it.
Updated and read on the event loop thread only.
"""

from __future__ import annotations

import time
from typing import Any

from ovms_core import OvmsError, ServedVersions, Statistics, StatusCode, VersionStatistics

__all__ = ["Duration", "KServeStatistics", "Recorder"]


class Duration:
    """A count and the nanoseconds they took in total."""

    __slots__ = ("count", "ns")

    def __init__(self) -> None:
        self.count = 0
        self.ns = 0

    def add(self, seconds: float) -> None:
        """Count one duration."""
        self.count += 1
        self.ns += int(seconds * 1e9)

    def document(self) -> dict[str, int]:
        """``{"count": ..., "ns": ...}``."""
        return {"count": self.count, "ns": self.ns}


class Recorder(VersionStatistics):
    """The statistics of one model version."""

    __slots__ = (
        "batches",
        "compute_infer",
        "compute_input",
        "compute_output",
        "execution_count",
        "fail",
        "inference_count",
        "last_inference",
        "queue",
        "success",
    )

    def __init__(self) -> None:
        self.success = Duration()
        self.fail = Duration()
        self.queue = Duration()
        self.compute_input = Duration()
        self.compute_infer = Duration()
        self.compute_output = Duration()
        self.inference_count = 0
        self.execution_count = 0
        self.last_inference = 0
        self.batches: dict[int, tuple[Duration, Duration, Duration]] = {}

    def succeeded(
        self,
        samples: int,
        phases: tuple[float, float, float, float],
        executed: bool,
        batch_size: int,
    ) -> None:
        """One answered request of ``samples`` samples; ``phases`` = queue, input, infer, output.

        ``executed`` is false for the requests that joined a merged inference counted by
        another; ``batch_size`` is the size of the inference that ran.
        """
        queue, compute_input, compute_infer, compute_output = phases
        self.success.add(sum(phases))
        self.queue.add(queue)
        self.compute_input.add(compute_input)
        self.compute_infer.add(compute_infer)
        self.compute_output.add(compute_output)
        self.inference_count += samples
        self.last_inference = int(time.time() * 1000)
        if executed:
            self.execution_count += 1
            durations = self.batches.get(batch_size)
            if durations is None:
                durations = self.batches[batch_size] = (Duration(), Duration(), Duration())
            for duration, seconds in zip(durations, phases[1:], strict=True):
                duration.add(seconds)

    def failed(self, seconds: float) -> None:
        """One request that failed after its version was chosen."""
        self.fail.add(seconds)
        self.last_inference = int(time.time() * 1000)

    def document(self, name: str, version: int) -> dict[str, Any]:
        """The version's entry of ``model_stats``."""
        return {
            "name": name,
            "version": str(version),
            "last_inference": self.last_inference,
            "inference_count": self.inference_count,
            "execution_count": self.execution_count,
            "inference_stats": {
                "success": self.success.document(),
                "fail": self.fail.document(),
                "queue": self.queue.document(),
                "compute_input": self.compute_input.document(),
                "compute_infer": self.compute_infer.document(),
                "compute_output": self.compute_output.document(),
                "cache_hit": Duration().document(),
                "cache_miss": Duration().document(),
            },
            "batch_stats": [
                {
                    "batch_size": size,
                    "compute_input": durations[0].document(),
                    "compute_infer": durations[1].document(),
                    "compute_output": durations[2].document(),
                }
                for size, durations in sorted(self.batches.items())
            ],
        }


class KServeStatistics(Statistics):
    """Statistics of every served model version, by (name, version)."""

    def __init__(self, served: ServedVersions) -> None:
        self._served = served
        self._versions: dict[tuple[str, int], Recorder] = {}

    def of(self, name: str, version: int) -> Recorder:
        """The statistics of a version (created at its first request)."""
        found = self._versions.get((name, version))
        if found is None:
            found = self._versions[(name, version)] = Recorder()
        return found

    def report(self, name: str | None = None, version: int | None = None) -> list[dict[str, Any]]:
        """``model_stats`` entries: every version of every model, or of ``name`` (``version``).

        Raises ``OvmsError`` (``MODEL_NAME_MISSING``, ``MODEL_VERSION_MISSING``) for a model or
        version the server does not have.
        """
        served = self._served
        if name is not None:
            if not served.serves(name):
                raise OvmsError(StatusCode.MODEL_NAME_MISSING)
            versions = served.versions(name)
            if version and version not in versions:
                raise OvmsError(StatusCode.MODEL_VERSION_MISSING)
            chosen = [(name, number) for number in ([version] if version else sorted(versions))]
        else:
            chosen = [
                (model_name, number)
                for model_name in sorted(served.names())
                for number in sorted(served.versions(model_name))
            ]
        empty = Recorder()
        return [
            self._versions.get((model_name, number), empty).document(model_name, number)
            for model_name, number in chosen
        ]
