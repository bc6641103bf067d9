"""A base for drivers of one physical device family (CPU, GPU, NPU)."""

from __future__ import annotations

from typing import Any, ClassVar

import openvino as ov

from ovms_core.base.errors import OvmsError
from ovms_core.base.status_codes import StatusCode
from ovms_core.devices.availability import available_devices, openvino_reason, require_available
from ovms_core.devices.driver import DeviceDriver
from ovms_core.devices.names import DeviceName, parse_device_name
from ovms_core.devices.properties import check_plugin_config

__all__ = ["HardwareDevice"]


class HardwareDevice(DeviceDriver):
    """Drives the devices of ``family``: ``GPU`` or ``GPU.<id>``.

    ``check`` requires the device to be present and ``plugin_config`` to name only properties
    the device takes, with values it accepts; ``describe`` lists each device of the family, with
    the read-only properties named in ``details``.
    """

    family: ClassVar[str]
    details: ClassVar[tuple[str, ...]] = ()

    def device(self, target_device: str) -> DeviceName:
        """The parsed ``target_device``; raises ``DEVICE_WRONG_FORMAT`` for another family."""
        name = parse_device_name(target_device)
        if name.family != self.family:
            raise OvmsError(
                StatusCode.DEVICE_WRONG_FORMAT,
                f"the {self.family} driver takes target_device {self.family} or "
                f"{self.family}.<id>, got {target_device!r}",
            )
        return name

    def parse(self, target_device: str) -> list[str]:
        """Check the syntax; a physical device has no member devices."""
        self.device(target_device)
        return []

    def check(self, core: ov.Core, target_device: str, properties: dict[str, Any]) -> None:
        """Require the device here, then check ``plugin_config`` keys and values."""
        name = self.device(target_device)
        require_available(core, name)
        check_plugin_config(core, str(name), [self.family], properties)

    def compile(
        self, core: ov.Core, model: ov.Model, target_device: str, properties: dict[str, Any]
    ) -> ov.CompiledModel:
        """Compile for the device, spelled as OpenVINO expects (``gpu.1`` becomes ``GPU.1``)."""
        return core.compile_model(model, str(self.device(target_device)), properties)

    def describe(self, core: ov.Core) -> list[dict[str, str]]:
        """One row per device of the family; a single ``not available`` row when there is none."""
        mine = [d for d in available_devices(core) if parse_device_name(d).family == self.family]
        if not mine:
            try:
                require_available(core, DeviceName(self.family))
            except OvmsError as error:
                return [{"device": self.family, "note": error.details}]
        return [self._row(core, device) for device in mine]

    def _row(self, core: ov.Core, device: str) -> dict[str, str]:
        row = {
            "device": device,
            "full_name": _property_text(core, device, "FULL_DEVICE_NAME"),
            "capabilities": _property_text(core, device, "OPTIMIZATION_CAPABILITIES"),
        }
        for key in self.details:
            row[key.lower()] = _property_text(core, device, key)
        return row


def _property_text(core: ov.Core, device: str, key: str) -> str:
    try:
        value = core.get_property(device, key)
    except RuntimeError as error:
        return f"({openvino_reason(error)})"
    if isinstance(value, list | tuple):
        return " ".join(str(item) for item in value)
    return str(getattr(value, "name", value))
