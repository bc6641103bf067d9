"""The single-model preprocessing flags (SPEC 7.4): command line only, all need ``--layout``."""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

from ovms_core.base.status_codes import StatusCode
from ovms_core.config.errors import ConfigError

__all__ = ["COLOR_FORMATS", "PRECISIONS", "Preprocessing"]

Path = tuple[str | int, ...]

COLOR_FORMATS = ("RGB", "BGR", "GRAY", "NV12", "NV12_2", "I420", "I420_3")
PRECISIONS = (
    "fp64",
    "fp32",
    "fp16",
    "uint1",
    "int8",
    "uint8",
    "int16",
    "uint16",
    "int32",
    "uint32",
    "int64",
    "uint64",
    "bf16",
)
KEYS = ("mean", "scale", "color_format", "precision")


@dataclass(frozen=True)
class Preprocessing:
    """Steps inserted before the model: client precision and color format, then mean and scale.

    ``color_format`` and ``precision`` are ``(target, source)`` pairs: the client sends
    ``target``, the model was trained on ``source``.
    """

    mean: tuple[float, ...] | None = None
    scale: tuple[float, ...] | None = None
    color_format: tuple[str, str] | None = None
    precision: tuple[str, str] | None = None

    @classmethod
    def parse(cls, values: dict[str, Any], path: Path = ()) -> Preprocessing | None:
        """Read the four keys from flag values; None when none is given."""
        given = [key for key in KEYS if values.get(key) is not None]
        if not given:
            return None
        if values.get("layout") is None:
            raise ConfigError(
                f"--{given[0]} parameter requires --layout to be set",
                path=(*path, given[0]),
                value=values[given[0]],
                code=StatusCode.OPTIONS_USAGE_ERROR,
            )
        return cls(
            mean=_floats(values.get("mean"), (*path, "mean")),
            scale=_floats(values.get("scale"), (*path, "scale")),
            color_format=_pair(
                values.get("color_format"),
                (*path, "color_format"),
                COLOR_FORMATS,
                StatusCode.COLOR_FORMAT_WRONG_FORMAT,
            ),
            precision=_pair(
                values.get("precision"),
                (*path, "precision"),
                PRECISIONS,
                StatusCode.PRECISION_WRONG_FORMAT,
            ),
        )


def _floats(raw: Any, path: Path) -> tuple[float, ...] | None:
    """``0.5`` or a per-channel list ``[123.7,116.3,103.5]``."""
    if raw is None:
        return None
    try:
        value = json.loads(raw) if isinstance(raw, str) else raw
        items = value if isinstance(value, list) else [value]
        numbers = tuple(float(v) for v in items if not isinstance(v, bool))
        if numbers and len(numbers) == len(items):
            return numbers
    except (TypeError, ValueError):
        pass
    raise ConfigError(
        StatusCode.FLOAT_WRONG_FORMAT.message,
        path=path,
        value=raw,
        code=StatusCode.FLOAT_WRONG_FORMAT,
    )


def _pair(
    raw: Any, path: Path, allowed: tuple[str, ...], code: StatusCode
) -> tuple[str, str] | None:
    """``target:source`` (a single name means the same on both sides)."""
    if raw is None:
        return None
    if isinstance(raw, str):
        parts = raw.strip().split(":")
        by_upper = {name.upper(): name for name in allowed}
        names = [by_upper.get(part.strip().upper()) for part in parts]
        if 1 <= len(names) <= 2 and all(names):
            return (str(names[0]), str(names[-1]))
    raise ConfigError(code.message, path=path, value=raw, code=code)
