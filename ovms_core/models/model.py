"""A served model: its configuration, versions and default version."""

from __future__ import annotations

from ovms_core.base.errors import OvmsError
from ovms_core.base.status_codes import StatusCode
from ovms_core.config.model_config import ModelConfig
from ovms_core.models.compiled import CompiledVersion
from ovms_core.models.states import VersionState
from ovms_core.models.version import ModelVersion

__all__ = ["Model"]


class Model:
    """Versions by number; the default is the highest AVAILABLE one."""

    def __init__(self, config: ModelConfig) -> None:
        self.config = config
        self.versions: dict[int, ModelVersion] = {}
        self.default: ModelVersion | None = None
        self.removed = False
        self.conditions: tuple[str, ...] = ()
        """What the last poll of the version folders found wrong (logged when it changes)."""

    @property
    def name(self) -> str:
        """The served name."""
        return self.config.name

    def update_default(self) -> None:
        """Recompute the default version after a state change."""
        available = [v for v in self.versions.values() if v.state == VersionState.AVAILABLE]
        self.default = max(available, key=lambda v: v.number) if available else None

    def available_versions(self) -> list[int]:
        """Numbers of the AVAILABLE versions, ascending."""
        return sorted(n for n, v in self.versions.items() if v.state == VersionState.AVAILABLE)

    def find(self, number: int | None) -> ModelVersion:
        """The version ``number`` (None or 0: the default), without waiting."""
        if not number:
            if self.default is None:
                raise OvmsError(StatusCode.MODEL_VERSION_MISSING)
            return self.default
        version = self.versions.get(number)
        if version is None:
            raise OvmsError(StatusCode.MODEL_VERSION_MISSING)
        return version

    async def resolve(self, number: int | None) -> tuple[int, CompiledVersion]:
        """The version number and compiled version for a request, waiting while it is loading."""
        version = self.find(number)
        compiled = version.compiled
        if version.state != VersionState.AVAILABLE or compiled is None:
            compiled = await version.wait_available()
        return version.number, compiled
