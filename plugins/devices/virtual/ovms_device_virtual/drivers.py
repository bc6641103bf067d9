"""The drivers of the virtual devices AUTO, MULTI, HETERO and BATCH."""

from __future__ import annotations

from typing import Any, ClassVar

import openvino as ov

from ovms_core import (
    DeviceDriver,
    available_devices,
    check_plugin_config,
    parse_device_name,
    require_available,
)
from ovms_device_virtual.syntax import VIRTUAL_FAMILIES, Rules, VirtualTarget, parse_target

__all__ = ["AutoDevice", "BatchDevice", "HeteroDevice", "MultiDevice", "VirtualDevice"]


class VirtualDevice(DeviceDriver):
    """A device made of other devices; OpenVINO's plugin for ``rules.family`` runs it.

    ``check`` requires every listed device (not excluded with ``-``) to be present, and takes
    ``plugin_config`` keys of the virtual device and of the devices it is made of, since
    OpenVINO passes those on.
    """

    rules: ClassVar[Rules]

    def target(self, target_device: str) -> VirtualTarget:
        """The parsed ``target_device``; raises ``DEVICE_WRONG_FORMAT``."""
        return parse_target(target_device, self.rules)

    def parse(self, target_device: str) -> list[str]:
        """Check the syntax; the listed devices are checked by their own drivers."""
        return [str(entry.device) for entry in self.target(target_device).entries]

    def check(self, core: ov.Core, target_device: str, properties: dict[str, Any]) -> None:
        """Require the listed devices here, then check ``plugin_config`` keys and values."""
        target = self.target(target_device)
        for device in target.used:
            require_available(core, device)
        excluded = {entry.device.family for entry in target.entries if entry.excluded}
        members = {device.family for device in target.used} or {
            family for family in _physical_families(core) if family not in excluded
        }
        check_plugin_config(core, str(target), [self.rules.family, *sorted(members)], properties)

    def compile(
        self, core: ov.Core, model: ov.Model, target_device: str, properties: dict[str, Any]
    ) -> ov.CompiledModel:
        """Compile with the canonical spelling (``multi: cpu`` becomes ``MULTI:CPU``)."""
        return core.compile_model(model, str(self.target(target_device)), properties)

    def describe(self, core: ov.Core) -> list[dict[str, str]]:
        """The virtual device, its syntax and the devices it can use here."""
        return [
            {
                "device": self.rules.family,
                "syntax": self.rules.example,
                "can_use": ", ".join(sorted(_physical_families(core))) or "none",
            }
        ]


def _physical_families(core: ov.Core) -> set[str]:
    families = {parse_device_name(name).family for name in available_devices(core)}
    return families - VIRTUAL_FAMILIES


class AutoDevice(VirtualDevice):
    """``AUTO``, ``AUTO:GPU,CPU`` (candidates by priority), ``AUTO:-CPU`` (all but CPU)."""

    rules = Rules("AUTO", "AUTO:GPU,CPU or AUTO:-CPU", needs_list=False, exclusion=True)


class MultiDevice(VirtualDevice):
    """``MULTI:CPU,GPU``; ``MULTI:GPU(4),CPU(2)`` caps requests per device."""

    rules = Rules("MULTI", "MULTI:GPU,CPU or MULTI:GPU(4),CPU(2)", count="request count")


class HeteroDevice(VirtualDevice):
    """``HETERO:GPU,CPU``: layers go to the first device that supports them."""

    rules = Rules("HETERO", "HETERO:GPU,CPU")


class BatchDevice(VirtualDevice):
    """``BATCH:GPU`` or ``BATCH:CPU(16)``: requests are batched on one device."""

    rules = Rules("BATCH", "BATCH:CPU(16)", count="batch size", single=True)
