"""Configuration errors that name where the bad value is."""

from __future__ import annotations

import json
from typing import Any

from ovms_core.base.status_codes import StatusCode

__all__ = ["ConfigError", "json_path"]


def json_path(parts: tuple[str | int, ...]) -> str:
    """Render a JSON path such as ``$.model_config_list[0].config.nireq``."""
    text = "$"
    for part in parts:
        text += f"[{part}]" if isinstance(part, int) else f".{part}"
    return text


class ConfigError(Exception):
    """A configuration that cannot be served; the text names the source, the path and the value."""

    _MISSING = object()

    def __init__(
        self,
        problem: str,
        *,
        source: str = "",
        path: tuple[str | int, ...] = (),
        value: Any = _MISSING,
        code: StatusCode = StatusCode.JSON_INVALID,
    ) -> None:
        self.problem = problem
        self.value = value
        self.source = source
        self.path = path
        self.code = code
        where = ": ".join(part for part in (source, json_path(path) if path else "") if part)
        text = f"{where}: {problem}" if where else problem
        if value is not ConfigError._MISSING:
            text += f" (value: {_short(value)})"
        super().__init__(text)

    def located(self, source: str) -> ConfigError:
        """The same error attributed to ``source`` when it has no source yet."""
        if self.source:
            return self
        return ConfigError(
            self.problem, source=source, path=self.path, value=self.value, code=self.code
        )


def _short(value: Any) -> str:
    try:
        text = json.dumps(value)
    except (TypeError, ValueError):
        text = repr(value)
    return text if len(text) <= 120 else text[:117] + "..."
