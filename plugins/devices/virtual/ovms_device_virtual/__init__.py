"""Drivers of OpenVINO's virtual devices: ``AUTO``, ``MULTI``, ``HETERO`` and ``BATCH``."""

from ovms_device_virtual.drivers import (
    AutoDevice,
    BatchDevice,
    HeteroDevice,
    MultiDevice,
    VirtualDevice,
)

__all__ = ["AutoDevice", "BatchDevice", "HeteroDevice", "MultiDevice", "VirtualDevice"]
