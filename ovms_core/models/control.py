"""The model repository extension: index, load and unload on top of the configuration.

The models are those of the configuration plus, with ``--model_repository_path``, every
subdirectory of that folder (a model with default settings, loaded only on request). An unload
retires every version (the model stays known, with no loaded version) and holds until the next
load through the API: a config reload does not bring it back. A load with a ``config``
override serves the model with that configuration until it is unloaded.
"""

from __future__ import annotations

import asyncio
import os
from collections.abc import Awaitable, Callable
from dataclasses import replace
from typing import TYPE_CHECKING, Any

from ovms_core.base.errors import OvmsError
from ovms_core.base.status_codes import StatusCode
from ovms_core.config.errors import ConfigError
from ovms_core.config.model_config import ModelConfig
from ovms_core.config.serving_config import ServingConfig
from ovms_core.models.states import VersionState

if TYPE_CHECKING:
    from ovms_core.base.services import HasServices
    from ovms_core.models.manager import ModelManager

__all__ = ["ModelControl", "ModelControlDisabled"]

_STATES = {
    VersionState.AVAILABLE: "READY",
    VersionState.UNLOADING: "UNLOADING",
    VersionState.END: "UNAVAILABLE",
}


class ModelControlDisabled(Exception):
    """Load and unload were asked for on a server started without ``--allow_model_control``."""

    message = "Model control is disabled: start the server with --allow_model_control"


class ModelControl:
    """What the API loaded and unloaded, and the effective configuration it gives."""

    def __init__(
        self,
        manager: ModelManager,
        config: Callable[[], ServingConfig],
        apply: Callable[[], Awaitable[None]],
        repository_path: str = "",
        allowed: bool = False,
    ) -> None:
        self.manager = manager
        self.repository_path = repository_path
        self.allowed = allowed
        self.unloaded: set[str] = set()
        self.loaded: dict[str, ModelConfig] = {}
        self._config = config
        self._apply = apply
        self._lock = asyncio.Lock()

    @staticmethod
    def of(context: HasServices) -> ModelControl | None:
        """The server's model control (``context.services["model_control"]``)."""
        found = context.services.get("model_control")
        return found if isinstance(found, ModelControl) else None

    def effective(self, config: ServingConfig) -> ServingConfig:
        """``config`` without the unloaded models, with the models loaded through the API."""
        models = [self.loaded.get(m.name, m) for m in config.models if m.name not in self.unloaded]
        named = {m.name for m in config.models}
        models += [m for name, m in self.loaded.items() if name not in named]
        return replace(config, models=tuple(models))

    def repository_models(self) -> dict[str, ModelConfig]:
        """The subdirectories of ``--model_repository_path`` as models with default settings."""
        if not self.repository_path or not os.path.isdir(self.repository_path):
            return {}
        found = {}
        for entry in sorted(os.scandir(self.repository_path), key=lambda e: e.name):
            if entry.is_dir() and not entry.name.startswith("."):
                found[entry.name] = ModelConfig.from_values(
                    {"name": entry.name, "base_path": entry.path}
                )
        return found

    def index(self, ready_only: bool = False) -> list[dict[str, str]]:
        """The repository index: one entry per known version, one for a model with none."""
        config = self._config()
        names = {m.name for m in config.models} | set(self.repository_models())
        names |= set(self.manager.models) | set(self.loaded)
        entries: list[dict[str, str]] = []
        for name in sorted(names):
            model = self.manager.get(name)
            versions = sorted(model.versions.items()) if model is not None else []
            if not versions:
                entries.append({"name": name, "state": "UNAVAILABLE", "reason": "unloaded"})
            for number, version in versions:
                state = _STATES.get(version.state, "LOADING")
                reason = "" if version.status is StatusCode.OK else version.status.message
                if name in self.unloaded and state == "UNAVAILABLE":
                    reason = "unloaded"
                entries.append(
                    {"name": name, "version": str(number), "state": state, "reason": reason}
                )
        if ready_only:
            entries = [e for e in entries if e["state"] == "READY"]
        return entries

    async def load(self, name: str, override: Any = None) -> None:
        """Load ``name`` (with ``override``, a ``config`` object, when given).

        Raises ``ModelControlDisabled``, ``OvmsError`` (``MODEL_NAME_MISSING`` for a name
        neither configured nor in the repository; the failed version's status when nothing
        became AVAILABLE) or ``ConfigError`` for an invalid override.
        """
        self._check_allowed()
        config = self._config()
        chosen: ModelConfig | None
        if override is not None:
            if not isinstance(override, dict):
                raise ConfigError("expected a JSON object", source="parameters", path=("config",))
            values = dict(override)
            values.setdefault("name", name)
            if values["name"] != name:
                raise ConfigError(
                    "the name must be the model's", source="parameters", path=("config", "name")
                )
            known = self._known(config).get(name)
            if "base_path" not in values and known is not None:
                values["base_path"] = known.base_path
            chosen = ModelConfig.from_json(values, ("config",))
        else:
            chosen = self._known(config).get(name)
            if chosen is None:
                raise OvmsError(StatusCode.MODEL_NAME_MISSING)
        async with self._lock:
            self.unloaded.discard(name)
            in_config = any(m.name == name and m == chosen for m in config.models)
            if in_config:
                self.loaded.pop(name, None)
            else:
                self.loaded[name] = chosen
            await self._apply()
        model = self.manager.get(name)
        if model is None or model.default is None:
            versions = model.versions.values() if model is not None else []
            failures = [v.status for v in versions if v.status is not StatusCode.OK]
            raise OvmsError(failures[0] if failures else StatusCode.MODEL_VERSION_MISSING)

    async def unload(self, name: str) -> None:
        """Retire every version of ``name`` until it is loaded again through the API."""
        self._check_allowed()
        config = self._config()
        if self.manager.get(name) is None and name not in self._known(config):
            raise OvmsError(StatusCode.MODEL_NAME_MISSING)
        async with self._lock:
            self.unloaded.add(name)
            self.loaded.pop(name, None)
            await self._apply()

    def _known(self, config: ServingConfig) -> dict[str, ModelConfig]:
        known = self.repository_models()
        known.update({m.name: m for m in config.models})
        return known

    def _check_allowed(self) -> None:
        if not self.allowed:
            raise ModelControlDisabled(ModelControlDisabled.message)
