"""Whether a device is on this machine, and a precise error when it is not."""

from __future__ import annotations

import openvino as ov

from ovms_core.base.errors import OvmsError
from ovms_core.base.status_codes import StatusCode
from ovms_core.devices.names import DeviceName

__all__ = ["available_devices", "is_available", "openvino_reason", "require_available"]


def available_devices(core: ov.Core) -> list[str]:
    """The devices OpenVINO can use here (``CPU``, ``GPU.0``, ``GPU.1``...)."""
    return [str(device) for device in core.available_devices]


def is_available(device: DeviceName, available: list[str]) -> bool:
    """Whether ``device`` is among ``available``; ``GPU`` matches ``GPU.0``, ``GPU.0`` ``GPU``."""
    text = str(device)
    if text in available:
        return True
    if not device.index:
        return any(name.startswith(f"{device.family}.") for name in available)
    return device.index == "0" and device.family in available


def require_available(core: ov.Core, device: DeviceName) -> None:
    """Raise ``CANNOT_COMPILE_MODEL_INTO_TARGET_DEVICE`` naming the devices this machine has."""
    available = available_devices(core)
    if is_available(device, available):
        return
    raise OvmsError(
        StatusCode.CANNOT_COMPILE_MODEL_INTO_TARGET_DEVICE,
        f"device {device} is not available on this machine ({_absence_reason(core, device)}); "
        f"available devices: {', '.join(available) or 'none'}",
    )


def openvino_reason(error: BaseException) -> str:
    """The line of an OpenVINO exception that says what went wrong (not where)."""
    lines = [line.strip() for line in str(error).splitlines() if line.strip()]
    meaningful = [
        line
        for line in lines
        if not (line.startswith("Exception from ") or line.startswith("Check '"))
        or not line.endswith(":")
    ]
    if meaningful:
        return meaningful[0]
    return lines[0] if lines else type(error).__name__


def _absence_reason(core: ov.Core, device: DeviceName) -> str:
    try:
        core.get_versions(device.family)
    except RuntimeError as error:
        return f"OpenVINO: {openvino_reason(error)}"
    return f"the OpenVINO {device.family} plugin found no such device"
