"""The NPU device driver (driver name ``NPU``)."""

from __future__ import annotations

from ovms_core import HardwareDevice

__all__ = ["NpuDevice"]


class NpuDevice(HardwareDevice):
    """Compiles for OpenVINO's NPU plugin (Intel NPU, the successor of MYRIAD and HDDL)."""

    family = "NPU"
    details = ("DEVICE_ARCHITECTURE", "NPU_DRIVER_VERSION", "NPU_DEVICE_TOTAL_MEM_SIZE")
