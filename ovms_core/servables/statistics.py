"""Per-version inference statistics in the KServe statistics extension's format.

Fed by the model kind with the same measurements as the metrics plugin's histograms (always
on, not only with ``--metrics_enable``): ``queue`` is the wait for a free infer request (or for
a merged inference to start), ``compute_input`` the validation and input conversion before it,
``compute_infer`` the inference, ``compute_output`` gathering the output views after it.
Updated and read on the event loop thread only.
"""

from __future__ import annotations

import time
from typing import TYPE_CHECKING, Any

from ovms_core.base.errors import OvmsError
from ovms_core.base.status_codes import StatusCode

if TYPE_CHECKING:
    from ovms_core.models.manager import ModelManager

__all__ = ["Duration", "Statistics", "VersionStatistics"]


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


class VersionStatistics:
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


class Statistics:
    """Statistics of every served model version, by (name, version)."""

    def __init__(self, manager: ModelManager | None = None) -> None:
        self._manager = manager
        self._versions: dict[tuple[str, int], VersionStatistics] = {}

    def of(self, name: str, version: int) -> VersionStatistics:
        """The statistics of a version (created at its first request)."""
        found = self._versions.get((name, version))
        if found is None:
            found = self._versions[(name, version)] = VersionStatistics()
        return found

    def report(self, name: str | None = None, version: int | None = None) -> list[dict[str, Any]]:
        """``model_stats`` entries: every version of every model, or of ``name`` (``version``).

        Raises ``OvmsError`` (``MODEL_NAME_MISSING``, ``MODEL_VERSION_MISSING``) for a model or
        version the server does not have.
        """
        models = self._manager.models if self._manager is not None else {}
        if name is not None:
            model = models.get(name)
            if model is None:
                raise OvmsError(StatusCode.MODEL_NAME_MISSING)
            if version and version not in model.versions:
                raise OvmsError(StatusCode.MODEL_VERSION_MISSING)
            numbers = [version] if version else sorted(model.versions)
            chosen = [(name, number) for number in numbers]
        else:
            chosen = [
                (model_name, number)
                for model_name, model in sorted(models.items())
                for number in sorted(model.versions)
            ]
        empty = VersionStatistics()
        return [
            self._versions.get((model_name, number), empty).document(model_name, number)
            for model_name, number in chosen
        ]
