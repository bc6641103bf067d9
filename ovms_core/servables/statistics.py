"""What the model kind records for the statistics extension, and how a plugin provides it.

The model kind records each answered request through ``VersionStatistics``; this base records
nothing. A plugin (``ovms-statistics``) registers a ``StatisticsDriver`` in the
``ovms.statistics`` entry-point group; when one is installed the server asks it for the
``Statistics`` it uses, and ``GET /v2/models/stats`` (and the gRPC ``ModelStatistics``) report
them. Called on the event loop thread only.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from typing import TYPE_CHECKING, Any

from ovms_core.base.errors import OvmsError
from ovms_core.base.status_codes import StatusCode

if TYPE_CHECKING:
    from ovms_core.metrics.served import ServedVersions

__all__ = ["Statistics", "StatisticsDriver", "VersionStatistics"]


class VersionStatistics:
    """Records the requests of one model version; this base records nothing."""

    __slots__ = ()

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

    def failed(self, seconds: float) -> None:
        """One request that failed after its version was chosen."""


_NOTHING = VersionStatistics()


class Statistics:
    """Statistics of every served version; this base keeps none and reports none."""

    def of(self, name: str, version: int) -> VersionStatistics:
        """The statistics of a version."""
        return _NOTHING

    def report(self, name: str | None = None, version: int | None = None) -> list[dict[str, Any]]:
        """``model_stats`` entries: every version of every model, or of ``name`` (``version``).

        Raises ``OvmsError`` (``MODEL_NAME_MISSING``, ``MODEL_VERSION_MISSING``) for a model or
        version the server does not have; this base raises ``NOT_IMPLEMENTED``.
        """
        raise OvmsError(
            StatusCode.NOT_IMPLEMENTED,
            "model statistics need a statistics plugin: pip install ovms-statistics",
        )


class StatisticsDriver(ABC):
    """Makes the ``Statistics`` of a server; registered in ``ovms.statistics``."""

    @abstractmethod
    def create(self, served: ServedVersions) -> Statistics:
        """Statistics of the ``served`` versions."""
