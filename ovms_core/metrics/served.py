"""A read-only view of the served model versions, for metrics read at scrape time."""

from __future__ import annotations

import contextlib
from dataclasses import dataclass
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from ovms_core.models.manager import ModelManager

__all__ = ["ServedVersions", "VersionLoad"]


@dataclass(frozen=True)
class VersionLoad:
    """How busy one version is; all zero for a version that is not loaded."""

    streams: int = 0
    """OpenVINO execution streams (0 for devices without the property)."""
    nireq: int = 0
    """Size of the infer request pool."""
    active: int = 0
    """Infer requests in use."""
    current: int = 0
    """Requests in process."""


class ServedVersions:
    """Names and version numbers the server serves (in any state), and their load."""

    __slots__ = ("_manager",)

    def __init__(self, manager: ModelManager) -> None:
        self._manager = manager

    def names(self) -> list[str]:
        """The served model names."""
        return list(self._manager.models)

    def serves(self, name: str) -> bool:
        """Whether ``name`` is a served model name."""
        return self._manager.get(name) is not None

    def versions(self, name: str) -> list[int]:
        """The version numbers of ``name`` (none when it is not served)."""
        model = self._manager.get(name)
        return list(model.versions) if model is not None else []

    def resolve(self, name: str, version: int | None) -> int | None:
        """``version`` if ``name`` has it, the default version for None or 0, else None."""
        model = self._manager.get(name)
        if model is None:
            return None
        if not version:
            return model.default.number if model.default is not None else None
        return version if version in model.versions else None

    def load(self, name: str, version: int) -> VersionLoad:
        """The load of a version."""
        model = self._manager.get(name)
        found = model.versions.get(version) if model is not None else None
        compiled = found.compiled if found is not None else None
        if compiled is None:
            return VersionLoad()
        streams = 0
        with contextlib.suppress(Exception):  # devices without the property report 0
            streams = int(compiled.model.compiled.get_property("NUM_STREAMS"))
        return VersionLoad(streams, compiled.pool.size, compiled.pool.busy, compiled.inflight)
