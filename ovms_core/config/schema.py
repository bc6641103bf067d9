"""Small typed checks for config.json objects, each error naming its JSON path."""

from __future__ import annotations

import difflib
from collections.abc import Callable, Mapping
from typing import Any

from ovms_core.config.errors import ConfigError

__all__ = ["Path", "check_object", "is_bool", "is_int", "is_list", "is_obj", "is_str", "is_uint"]

Path = tuple[str | int, ...]
Check = Callable[[Any], bool]


def is_int(value: Any) -> bool:
    """A JSON integer (booleans excluded)."""
    return isinstance(value, int) and not isinstance(value, bool)


def is_uint(value: Any) -> bool:
    """A JSON integer >= 0."""
    return is_int(value) and value >= 0


def is_str(value: Any) -> bool:
    """A JSON string."""
    return isinstance(value, str)


def is_bool(value: Any) -> bool:
    """A JSON boolean."""
    return isinstance(value, bool)


def is_obj(value: Any) -> bool:
    """A JSON object."""
    return isinstance(value, dict)


def is_list(value: Any) -> bool:
    """A JSON array."""
    return isinstance(value, list)


def check_object(
    value: Any,
    path: Path,
    fields: Mapping[str, tuple[Check, str]],
    required: tuple[str, ...] = (),
) -> dict[str, Any]:
    """Check that ``value`` is an object with only ``fields``, each of the described type."""
    if not isinstance(value, dict):
        raise ConfigError("expected a JSON object", path=path, value=value)
    for key in required:
        if key not in value:
            unknown = [k for k in value if k not in fields]
            near = difflib.get_close_matches(key, unknown, n=1)
            hint = f"; did you mean '{key}' instead of '{near[0]}'?" if near else ""
            raise ConfigError(f"required key '{key}' is missing{hint}", path=path)
    for key, item in value.items():
        if key not in fields:
            allowed = ", ".join(sorted(fields))
            near = difflib.get_close_matches(key, list(fields), n=1)
            hint = f"did you mean '{near[0]}'? " if near else ""
            raise ConfigError(f"unknown key '{key}' ({hint}allowed: {allowed})", path=(*path, key))
        check, description = fields[key]
        if not check(item):
            raise ConfigError(f"expected {description}", path=(*path, key), value=item)
    return value
