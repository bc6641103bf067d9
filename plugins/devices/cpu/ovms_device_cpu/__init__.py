"""The CPU device driver (driver name ``CPU``)."""

from __future__ import annotations

from typing import Any

import openvino as ov

from ovms_core import DeviceDriver, OvmsError, StatusCode

__all__ = ["CORE_PROPERTIES", "CpuDevice"]

# Properties OpenVINO's core accepts at compile time for any device.
CORE_PROPERTIES = {"CACHE_DIR", "CACHE_MODE", "ENABLE_MMAP", "ALLOW_AUTO_BATCHING"}


class CpuDevice(DeviceDriver):
    """Compiles for OpenVINO's CPU plugin after checking ``plugin_config`` keys."""

    def __init__(self) -> None:
        self._writable: dict[int, frozenset[str]] = {}

    def _settable(self, core: ov.Core) -> frozenset[str]:
        # Asked once per core: every SUPPORTED_PROPERTIES query leaks ~3 KiB in OpenVINO's
        # Python binding, and the answer never changes.
        key = id(core)
        if key not in self._writable:
            supported = core.get_property("CPU", "SUPPORTED_PROPERTIES")
            self._writable[key] = frozenset(k for k, mode in supported.items() if mode != "RO")
        return self._writable[key] | CORE_PROPERTIES

    def check(self, core: ov.Core, target_device: str, properties: dict[str, Any]) -> None:
        """Reject devices other than ``CPU`` and properties the CPU plugin does not know."""
        if target_device.strip().upper() != "CPU":
            raise OvmsError(
                StatusCode.DEVICE_WRONG_FORMAT,
                f"the CPU driver takes target_device CPU, got {target_device!r}",
            )
        supported = self._settable(core)
        unknown = sorted(set(properties) - supported)
        if unknown:
            raise OvmsError(
                StatusCode.PLUGIN_CONFIG_WRONG_FORMAT,
                f"unknown CPU properties {', '.join(unknown)}; valid keys: "
                + ", ".join(sorted(supported)),
            )

    def describe(self, core: ov.Core) -> list[dict[str, str]]:
        """The CPU's full name and capabilities."""
        return [
            {
                "device": "CPU",
                "full_name": str(core.get_property("CPU", "FULL_DEVICE_NAME")),
                "capabilities": " ".join(core.get_property("CPU", "OPTIMIZATION_CAPABILITIES")),
            }
        ]
