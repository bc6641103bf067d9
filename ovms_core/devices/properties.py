"""``plugin_config`` checked against what the devices support, before compiling."""

from __future__ import annotations

from collections.abc import Collection, Mapping
from typing import Any

import openvino as ov

from ovms_core.base.errors import OvmsError
from ovms_core.base.status_codes import StatusCode
from ovms_core.devices.availability import openvino_reason

__all__ = [
    "CORE_PROPERTIES",
    "check_plugin_config",
    "check_property_keys",
    "check_property_values",
    "writable_properties",
]

# Properties OpenVINO's core accepts at compile time whatever the device.
CORE_PROPERTIES = frozenset({"CACHE_DIR", "CACHE_MODE", "ENABLE_MMAP", "ALLOW_AUTO_BATCHING"})


_WRITABLE: dict[tuple[int, str], frozenset[str]] = {}


def writable_properties(core: ov.Core, family: str) -> frozenset[str]:
    """The properties of device ``family`` that may be set (``SUPPORTED_PROPERTIES`` not RO).

    Asked once per core and family: each ``SUPPORTED_PROPERTIES`` query leaks a few KiB in
    OpenVINO's Python binding, and the answer never changes.
    """
    key = (id(core), family)
    if key not in _WRITABLE:
        supported = core.get_property(family, "SUPPORTED_PROPERTIES")
        _WRITABLE[key] = frozenset(k for k, mode in supported.items() if mode != "RO")
    return _WRITABLE[key]


def check_property_keys(target: str, valid: Collection[str], properties: Mapping[str, Any]) -> None:
    """Reject keys outside ``valid`` (and the core's own) with ``PLUGIN_CONFIG_WRONG_FORMAT``."""
    allowed = set(valid) | CORE_PROPERTIES
    unknown = sorted(set(properties) - allowed)
    if unknown:
        verb = "is not a property" if len(unknown) == 1 else "are not properties"
        raise OvmsError(
            StatusCode.PLUGIN_CONFIG_WRONG_FORMAT,
            f"{', '.join(unknown)} {verb} of {target}; valid keys: {', '.join(sorted(allowed))}",
        )


def check_property_values(
    owners: Mapping[str, Collection[str]], properties: Mapping[str, Any]
) -> None:
    """Let OpenVINO judge each value on a scratch core, by every device family that takes the key.

    ``owners`` maps a device family to the keys it takes; core properties are judged by the core.
    """
    scratch = ov.Core()
    for family in owners:
        scratch.get_property(family, "SUPPORTED_PROPERTIES")  # loaded plugins judge at once
    for key, value in properties.items():
        if key == "CACHE_DIR":
            continue  # any path will do, and setting it would create the folder
        judges = [family for family, keys in owners.items() if key in keys]
        try:
            if key in CORE_PROPERTIES and not judges:
                scratch.set_property({key: value})
            for family in judges:
                scratch.set_property(family, {key: value})
        except RuntimeError as error:
            raise OvmsError(
                StatusCode.PLUGIN_CONFIG_WRONG_FORMAT,
                f"invalid value {value!r} for {key}: {openvino_reason(error)}",
            ) from None


def check_plugin_config(
    core: ov.Core, target: str, families: Collection[str], properties: Mapping[str, Any]
) -> None:
    """Check keys and values of ``properties`` for a device made of ``families`` (all present)."""
    owners = {family: writable_properties(core, family) for family in families}
    check_property_keys(target, set().union(*owners.values()), properties)
    check_property_values(owners, properties)
