"""The operations frontends expose: health, metadata, readiness, statistics and inference.

The dataplane knows no kind of servable: it resolves a name through ``Servables`` and calls
the servable (``ovms_core.servables.protocol``).
"""

from __future__ import annotations

from typing import Any, Protocol

from ovms_core.base.errors import OvmsError
from ovms_core.base.status_codes import StatusCode
from ovms_core.base.version import SERVER_NAME, server_version
from ovms_core.servables.protocol import Servable
from ovms_core.servables.registry import Servables
from ovms_core.servables.types import (
    InferRequest,
    InferResult,
    ModelMetadata,
    TensorMetadata,
    VersionStatus,
)

__all__ = ["Dataplane", "StatisticsReport"]


class StatisticsReport(Protocol):
    """What answers the statistics extension (``ovms_core.servables.statistics.Statistics``)."""

    def report(self, name: str | None, version: int | None) -> list[dict[str, Any]]:
        """``model_stats`` entries of every version, or of those of ``name``."""
        ...


class Dataplane:
    """Transport-neutral server operations; errors are ``OvmsError``."""

    def __init__(self, servables: Servables, statistics: StatisticsReport | None = None) -> None:
        self.servables = servables
        self.statistics = statistics
        self.ready = False
        self.live = True

    def _find(self, name: str, unknown: StatusCode = StatusCode.MODEL_NAME_MISSING) -> Servable:
        servable = self.servables.resolve(name)
        if servable is None:
            raise OvmsError(unknown)
        return servable

    def server_metadata(self) -> dict[str, str]:
        """Name and version of the server."""
        return {"name": SERVER_NAME, "version": server_version()}

    def model_statistics(
        self, name: str | None = None, version: int | None = None
    ) -> list[dict[str, Any]]:
        """The statistics extension's ``model_stats``: every version, or those of ``name``.

        Raises ``OvmsError`` (``MODEL_NAME_MISSING``/``MODEL_VERSION_MISSING``).
        """
        if self.statistics is None:
            return []
        return self.statistics.report(name, version)

    def model_status(self, name: str, version: int | None) -> list[VersionStatus]:
        """Status of one version, or of every known version (END and failed ones too)."""
        return self._find(name).status(version)

    def config_status(self) -> dict[str, list[VersionStatus]]:
        """Status of every version of every servable, by name."""
        return {name: self._find(name).status(None) for name in self.servables.names()}

    def model_ready(self, name: str, version: int | None) -> bool:
        """Whether the version (or the default) serves requests now; unknown names raise."""
        return self._find(name).ready(version)

    def model_metadata(self, name: str, version: int | None) -> ModelMetadata:
        """Inputs, outputs and versions of an AVAILABLE version, without waiting."""
        return self._find(name).metadata(version)

    async def request_inputs(
        self, name: str, version: int | None
    ) -> tuple[int, list[TensorMetadata]]:
        """The version a request would run on and its inputs, waiting while it loads.

        For APIs whose bodies are decoded by the servable's inputs (TFS REST); pass the
        version to ``infer`` so the request runs where it was decoded for.
        """
        return await self._find(name).request_inputs(version)

    async def infer(self, request: InferRequest) -> InferResult:
        """Run ``request`` on the servable its name resolves to; outputs are views.

        Release the result (or use ``with``) once its outputs are encoded.
        """
        return await self._find(request.model_name, request.unknown_name_code).infer(request)
