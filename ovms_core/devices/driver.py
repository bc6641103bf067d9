"""The device driver interface: one driver per device family, from the ``ovms.devices`` group."""

from __future__ import annotations

from abc import ABC, abstractmethod
from typing import Any

import openvino as ov

__all__ = ["DeviceDriver"]


class DeviceDriver(ABC):
    """Compiles models for one device family named by the text of ``target_device``.

    The family is the part before ``:``, ``.`` or ``(``: ``MULTI:CPU,GPU`` is ``MULTI``, ``GPU.1``
    is ``GPU``, ``BATCH:CPU(16)`` is ``BATCH``.
    """

    def parse(self, target_device: str) -> list[str]:
        """Check the text of ``target_device`` without touching hardware (at start-up).

        Returns the devices a virtual device is made of (``MULTI:CPU,GPU`` gives ``CPU`` and
        ``GPU``), which the kernel checks with their own drivers; physical devices return none.
        Raises ``OvmsError`` when the text can never work.
        """
        return []

    @abstractmethod
    def check(self, core: ov.Core, target_device: str, properties: dict[str, Any]) -> None:
        """Raise ``OvmsError`` when the device is absent or the properties are invalid."""

    def compile(
        self, core: ov.Core, model: ov.Model, target_device: str, properties: dict[str, Any]
    ) -> ov.CompiledModel:
        """Compile ``model`` for ``target_device`` with OpenVINO ``properties``."""
        return core.compile_model(model, target_device, properties)

    def describe(self, core: ov.Core) -> list[dict[str, str]]:
        """What this driver sees on the machine: one dict per device, for ``ovms devices``."""
        return []
