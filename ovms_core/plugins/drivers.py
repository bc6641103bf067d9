"""Loading drivers by name with stevedore: only the drivers a configuration uses are imported."""

from __future__ import annotations

from importlib.metadata import EntryPoint
from typing import Any

from stevedore import DriverManager
from stevedore.exception import MultipleMatches, NoMatches

from ovms_core.plugins.entry_points import disabled_names, list_entries
from ovms_core.plugins.errors import DriverNotFound, PluginLoadFailed

__all__ = ["KNOWN_DISTRIBUTIONS", "NAMESPACES", "DriverLoader"]

NAMESPACES = {
    "storage": "ovms.storage",
    "frontend": "ovms.frontends",
    "device": "ovms.devices",
    "node": "ovms.nodes",
    "metrics": "ovms.metrics",
    "runner": "ovms.runners",
    "statistics": "ovms.statistics",
}
"""Entry-point group of each driver kind; the entry-point name is the driver name and the object
it points to is a class (or factory) called with no arguments. The interfaces live with the
layer each kind extends: ``StorageDriver`` (storage), ``DeviceDriver`` (devices), ``NodeDriver``
(servables), ``RunMode`` (servables.model), ``Frontend`` (server), ``MetricsDriver``
(metrics), ``StatisticsDriver`` (servables). Kinds of servable load apart
(``ovms_core.servables.kind``)."""

# The distribution to suggest when a driver name is asked for but not installed.
KNOWN_DISTRIBUTIONS: dict[str, dict[str, str]] = {
    "storage": {
        "file": "ovms-storage-local",
        "s3": "ovms-storage-s3",
        "gs": "ovms-storage-gcs",
        "az": "ovms-storage-azure",
        "azfs": "ovms-storage-azure",
    },
    "frontend": {"rest": "ovms-frontend-rest", "grpc": "ovms-frontend-grpc"},
    "device": {
        "CPU": "ovms-device-cpu",
        "GPU": "ovms-device-gpu",
        "NPU": "ovms-device-npu",
        "AUTO": "ovms-device-virtual",
        "MULTI": "ovms-device-virtual",
        "HETERO": "ovms-device-virtual",
        "BATCH": "ovms-device-virtual",
        "MYRIAD": "ovms-device-legacy",
        "HDDL": "ovms-device-legacy",
    },
    "node": {
        "custom": "ovms-node-custom",
        "python": "ovms-node-python",
        "image": "ovms-image",
    },
    "metrics": {"prometheus": "ovms-metrics"},
    "statistics": {"kserve": "ovms-statistics"},
    "runner": {"stateful": "ovms-runner-stateful", "batching": "ovms-runner-batching"},
}


class DriverLoader:
    """Loads and caches one instance per (kind, name)."""

    def __init__(self) -> None:
        self._cache: dict[tuple[str, str], Any] = {}

    def get(self, kind: str, name: str) -> Any:
        """The driver instance for ``name`` in the namespace of ``kind``."""
        key = (kind, name)
        if key not in self._cache:
            self._cache[key] = self._load(kind, name)
        return self._cache[key]

    def installed(self, kind: str) -> list[str]:
        """Names installed for ``kind`` (without importing them)."""
        return [entry.name for entry in list_entries(NAMESPACES[kind])]

    def _load(self, kind: str, name: str) -> Any:
        namespace = NAMESPACES[kind]
        if name in disabled_names():
            raise DriverNotFound(f"The {kind} driver '{name}' is disabled by OVMS_DISABLE_PLUGINS")

        def failed(_manager: Any, entry_point: EntryPoint, error: BaseException) -> None:
            dist = entry_point.dist.metadata["Name"] if entry_point.dist else "unknown"
            raise PluginLoadFailed(
                f"The {kind} driver '{name}' from distribution {dist} (entry point "
                f"{entry_point.name} = {entry_point.value} in {namespace}) failed to load: "
                f"{type(error).__name__}: {error}"
            ) from error

        try:
            manager: DriverManager[Any] = DriverManager(
                namespace,
                name,
                invoke_on_load=True,
                on_load_failure_callback=failed,
            )
        except NoMatches:
            raise DriverNotFound(self._missing_text(kind, name)) from None
        except MultipleMatches as error:
            raise PluginLoadFailed(
                f"More than one distribution provides the {kind} driver '{name}': {error}"
            ) from None
        return manager.driver

    def _missing_text(self, kind: str, name: str) -> str:
        installed = ", ".join(self.installed(kind)) or "none"
        suggestion = KNOWN_DISTRIBUTIONS.get(kind, {}).get(name)
        if suggestion:
            hint = f"install it with: pip install {suggestion}"
        else:
            hint = (
                f"install a distribution that registers '{name}' in the entry-point group "
                f"{NAMESPACES[kind]}"
            )
        return f"No {kind} driver named '{name}' is installed (installed: {installed}); {hint}"
