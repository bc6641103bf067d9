"""Drivers for MYRIAD and HDDL, whose OpenVINO plugins are gone: they only explain that.

Configurations written for older servers keep naming these devices; without these drivers they
would fail with a bare "not registered" from OpenVINO. Here they fail at start-up, saying what
happened and what to use instead, also inside ``MULTI:``/``HETERO:`` lists.
"""

from __future__ import annotations

from typing import Any, ClassVar, NoReturn

import openvino as ov

from ovms_core import DeviceDriver, OvmsError, StatusCode

__all__ = ["HddlDevice", "LegacyDevice", "MyriadDevice"]


class LegacyDevice(DeviceDriver):
    """A device OpenVINO no longer supports: every use fails with ``message``."""

    family: ClassVar[str]
    hardware: ClassVar[str]

    @classmethod
    def message(cls) -> str:
        """Why the device cannot be used and what to use instead."""
        return (
            f"{cls.family} ({cls.hardware}) is no longer supported: OpenVINO removed its "
            f"{cls.family} plugin in release 2023.0; use target_device NPU for Intel NPU "
            "hardware, or CPU"
        )

    def parse(self, target_device: str) -> NoReturn:
        """Always fails: the device cannot be used by any configuration."""
        raise OvmsError(StatusCode.CANNOT_COMPILE_MODEL_INTO_TARGET_DEVICE, self.message())

    def check(self, core: ov.Core, target_device: str, properties: dict[str, Any]) -> NoReturn:
        """Always fails, as ``parse`` does."""
        self.parse(target_device)

    def describe(self, core: ov.Core) -> list[dict[str, str]]:
        """One row saying the device is unsupported."""
        return [{"device": self.family, "note": self.message()}]


class MyriadDevice(LegacyDevice):
    """``MYRIAD``: the Intel Neural Compute Stick 2."""

    family = "MYRIAD"
    hardware = "Intel Neural Compute Stick 2"


class HddlDevice(LegacyDevice):
    """``HDDL``: Intel Vision Accelerator Design with Intel Movidius VPUs."""

    family = "HDDL"
    hardware = "Intel Vision Accelerator Design with Intel Movidius VPUs"
