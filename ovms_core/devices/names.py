"""Device names as OpenVINO spells them: ``CPU``, ``GPU``, ``GPU.1``, ``NPU``."""

from __future__ import annotations

import re
from dataclasses import dataclass

from ovms_core.base.errors import OvmsError
from ovms_core.base.status_codes import StatusCode

__all__ = ["DeviceName", "parse_device_name"]

_NAME = re.compile(r"(?P<family>[A-Za-z][A-Za-z0-9_]*)(?:\.(?P<index>[A-Za-z0-9_]+))?")


@dataclass(frozen=True)
class DeviceName:
    """One device: its family (``GPU``) and, for one of several, its index (``1``)."""

    family: str
    index: str = ""

    def __str__(self) -> str:
        return f"{self.family}.{self.index}" if self.index else self.family


def parse_device_name(text: str) -> DeviceName:
    """Parse ``NAME`` or ``NAME.ID`` (case-insensitive); raises ``DEVICE_WRONG_FORMAT``."""
    match = _NAME.fullmatch(text.strip())
    if match is None:
        raise OvmsError(
            StatusCode.DEVICE_WRONG_FORMAT,
            f"{text!r} is not a device name; expected NAME or NAME.ID, such as CPU or GPU.1",
        )
    return DeviceName(match["family"].upper(), (match["index"] or "").upper())
