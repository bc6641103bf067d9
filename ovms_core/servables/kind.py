"""Kinds of servable that plugins add (entry-point group ``ovms.servables``).

The entry-point name is the kind's name; the object it points to is called with a
``ModelAccess`` and the server's ``DriverLoader`` and returns a ``ServableKind``. The server
creates every installed kind at start-up, so that a reload can add the first servable of a
kind, and resolves names through the models first, then each kind by entry-point name.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Iterable

from ovms_core.config.serving_config import ServingConfig
from ovms_core.plugins.drivers import DriverLoader
from ovms_core.plugins.entry_points import list_entries
from ovms_core.plugins.errors import DriverNotFound, PluginLoadFailed
from ovms_core.servables.model.access import ModelAccess
from ovms_core.servables.protocol import Servable

__all__ = [
    "KIND_DISTRIBUTIONS",
    "KIND_SECTIONS",
    "SERVABLES_GROUP",
    "ServableKind",
    "load_kinds",
    "require_kinds",
]

SERVABLES_GROUP = "ovms.servables"
KIND_SECTIONS = {"pipeline_config_list": "pipelines"}
"""config.json sections whose entries need a kind that the kernel does not ship."""
KIND_DISTRIBUTIONS = {"pipelines": "ovms-pipelines"}
"""The distribution to suggest for each kind of ``KIND_SECTIONS``."""


class ServableKind(ABC):
    """The servables of one kind: a ``ServableSource`` plus the lifecycle the server drives.

    ``check`` may run before the event loop starts; ``apply`` and ``shutdown`` run on it
    (``asyncio.get_running_loop()`` is the server's loop). Both ``check`` and ``apply`` read the
    kind's own sections from ``ServingConfig.raw``.
    """

    @abstractmethod
    def get(self, name: str) -> Servable | None:
        """The servable served under ``name``, retired ones included; None when unknown."""

    @abstractmethod
    def names(self) -> Iterable[str]:
        """Every name this kind knows, retired ones included."""

    @abstractmethod
    def check(self, config: ServingConfig) -> None:
        """Refuse ``config`` before anything loads, or before a reload applies it.

        Raise ``ConfigError`` (located at ``config.source``) for a bad section, ``PluginError``
        for a driver it needs that is missing.
        """

    @abstractmethod
    async def apply(self, config: ServingConfig) -> bool:
        """Serve ``config``; called again whenever the models changed. True when anything did."""

    async def shutdown(self) -> None:  # noqa: B027 - optional hook, default no-op
        """Release everything; called once in-flight requests finished (or the bound passed)."""


def load_kinds(models: ModelAccess, drivers: DriverLoader) -> dict[str, ServableKind]:
    """Every installed (and not disabled) kind by name, created; raises ``PluginLoadFailed``."""
    kinds: dict[str, ServableKind] = {}
    for entry in list_entries(SERVABLES_GROUP):
        try:
            kind = entry.entry_point.load()(models, drivers)
        except Exception as error:
            raise PluginLoadFailed(
                f"The servable kind '{entry.name}' from distribution {entry.distribution} "
                f"(entry point {entry.name} = {entry.value} in {SERVABLES_GROUP}) failed to "
                f"load: {type(error).__name__}: {error}"
            ) from error
        if not isinstance(kind, ServableKind):
            raise PluginLoadFailed(
                f"The servable kind '{entry.name}' ({entry.value}) is not a ServableKind"
            )
        kinds[entry.name] = kind
    return kinds


def require_kinds(config: ServingConfig, kinds: Iterable[str]) -> None:
    """Raise ``DriverNotFound`` when ``config`` has entries for a kind that is not installed."""
    installed = set(kinds)
    for section, kind in KIND_SECTIONS.items():
        if config.raw.get(section) and kind not in installed:
            raise DriverNotFound(
                f"The configuration has {section} entries, served by the servable kind "
                f"'{kind}', which is not installed (installed: "
                f"{', '.join(sorted(installed)) or 'none'}); install it with: "
                f"pip install {KIND_DISTRIBUTIONS[kind]}"
            )
