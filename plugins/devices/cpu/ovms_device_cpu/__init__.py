"""The CPU device driver (driver name ``CPU``)."""

from __future__ import annotations

from ovms_core import HardwareDevice

__all__ = ["CpuDevice"]


class CpuDevice(HardwareDevice):
    """Compiles for OpenVINO's CPU plugin after checking ``plugin_config`` keys and values."""

    family = "CPU"
    details = ("DEVICE_ARCHITECTURE", "RANGE_FOR_STREAMS")
