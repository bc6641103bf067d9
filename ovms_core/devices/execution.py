"""How a compiled model runs: execution devices, streams and performance hint."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import openvino as ov

__all__ = ["ExecutionInfo", "execution_info"]


@dataclass(frozen=True)
class ExecutionInfo:
    """What OpenVINO chose for a compiled model; ``streams`` is summed over its devices."""

    devices: tuple[str, ...]
    streams: int
    performance_hint: str


def execution_info(compiled: ov.CompiledModel) -> ExecutionInfo:
    """Read devices, streams and hint; virtual devices report them per device."""
    per_device = _property(compiled, "DEVICE_PROPERTIES")
    members = list(per_device.values()) if isinstance(per_device, dict) else []
    streams = _property(compiled, "NUM_STREAMS")
    if not isinstance(streams, int):
        streams = sum(m.get("NUM_STREAMS", 0) for m in members if isinstance(m, dict))
    hint = _property(compiled, "PERFORMANCE_HINT")
    if hint is None:
        hints = {_text(m["PERFORMANCE_HINT"]) for m in members if "PERFORMANCE_HINT" in m}
        hint = "/".join(sorted(hints))
    devices = _property(compiled, "EXECUTION_DEVICES") or []
    return ExecutionInfo(tuple(str(d) for d in devices), int(streams), _text(hint))


def _property(compiled: ov.CompiledModel, key: str) -> Any:
    try:
        return compiled.get_property(key)
    except RuntimeError:
        return None


def _text(value: Any) -> str:
    return str(getattr(value, "name", value))
