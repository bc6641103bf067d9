"""The GPU device driver (driver name ``GPU``): ``GPU``, ``GPU.0``, ``GPU.1``..."""

from __future__ import annotations

from ovms_core import HardwareDevice

__all__ = ["GpuDevice"]


class GpuDevice(HardwareDevice):
    """Compiles for OpenVINO's GPU plugin (Intel integrated and discrete GPUs)."""

    family = "GPU"
    details = ("DEVICE_TYPE", "DEVICE_ARCHITECTURE", "GPU_DEVICE_TOTAL_MEM_SIZE")
