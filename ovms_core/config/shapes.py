"""The ``shape``, ``batch_size`` and ``layout`` settings of a model (SPEC section 7)."""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from typing import Any

from ovms_core.base.status_codes import StatusCode
from ovms_core.config.errors import ConfigError

__all__ = ["BatchSetting", "Dim", "LayoutSetting", "ShapeSetting", "ShapeSpec"]

Path = tuple[str | int, ...]


@dataclass(frozen=True)
class Dim:
    """One dimension: static (``lo == hi``), a range, or any value (``lo == hi == -1``)."""

    lo: int
    hi: int

    def ov_text(self) -> str:
        """The dimension in OpenVINO PartialShape syntax."""
        if self.lo == -1:
            return "?"
        if self.lo == self.hi:
            return str(self.lo)
        return f"{self.lo}..{self.hi}"

    @classmethod
    def parse(cls, text: str) -> Dim:
        """``4``, ``-1`` or ``1:10``; raises ValueError otherwise."""
        if ":" in text:
            lo_text, hi_text = text.split(":", 1)
            lo, hi = int(lo_text), int(hi_text)
            if lo < 0 or hi <= lo:
                raise ValueError(text)
            return cls(lo, hi)
        value = int(text)
        if value < -1:
            raise ValueError(text)
        return cls(value, value)


@dataclass(frozen=True)
class ShapeSpec:
    """A shape for one input: ``auto`` or a tuple of dimensions."""

    auto: bool = False
    dims: tuple[Dim, ...] = ()

    def ov_text(self) -> str:
        """The shape in OpenVINO PartialShape syntax, e.g. ``[1,?,1..10]``."""
        return "[" + ",".join(d.ov_text() for d in self.dims) + "]"

    @classmethod
    def parse(cls, raw: Any, path: Path = ()) -> ShapeSpec:
        """Parse ``"auto"``, ``"(1,3,224,224)"`` or a list of non-negative integers."""
        if raw == "auto":
            return cls(auto=True)
        if isinstance(raw, list) and all(isinstance(d, int) and d >= 0 for d in raw):
            return cls(dims=tuple(Dim(d, d) for d in raw))
        if isinstance(raw, str):
            text = raw.replace(" ", "")
            if re.fullmatch(r"\([0-9,:\-]*\)", text) and text != "()":
                try:
                    return cls(dims=tuple(Dim.parse(part) for part in text[1:-1].split(",")))
                except ValueError:
                    pass
        raise ConfigError(
            StatusCode.SHAPE_WRONG_FORMAT.message,
            path=path,
            value=raw,
            code=StatusCode.SHAPE_WRONG_FORMAT,
        )


def _object_text(raw: Any, path: Path, code: StatusCode) -> Any:
    """A flag value holding a JSON object (``'{"in": "(1,3)"}'``) parsed; other values as given."""
    if not (isinstance(raw, str) and raw.strip().startswith("{")):
        return raw
    try:
        return json.loads(raw)
    except ValueError:
        raise ConfigError(code.message, path=path, value=raw, code=code) from None


@dataclass(frozen=True)
class ShapeSetting:
    """The ``shape`` setting: one anonymous shape or shapes by input name."""

    anonymous: ShapeSpec | None = None
    named: dict[str, ShapeSpec] = field(default_factory=dict)

    @classmethod
    def parse(cls, raw: Any, path: Path = ()) -> ShapeSetting | None:
        """Parse a shape string, a JSON object text, or an object of input name to shape."""
        if raw is None:
            return None
        raw = _object_text(raw, path, StatusCode.SHAPE_WRONG_FORMAT)
        if isinstance(raw, dict):
            return cls(named={k: ShapeSpec.parse(v, (*path, k)) for k, v in raw.items()})
        return cls(anonymous=ShapeSpec.parse(raw, path))


@dataclass(frozen=True)
class BatchSetting:
    """The ``batch_size`` setting: a fixed size, a range, any (-1), or ``auto``."""

    auto: bool = False
    dim: Dim | None = None

    @classmethod
    def parse(cls, raw: Any, path: Path = ()) -> BatchSetting | None:
        """Parse an integer, ``"auto"``, ``"-1"`` or a range such as ``"1:8"``."""
        if raw is None or raw in (0, "0", ""):
            return None
        if raw == "auto":
            return cls(auto=True)
        try:
            if isinstance(raw, bool):
                raise ValueError(raw)
            dim = Dim(raw, raw) if isinstance(raw, int) else Dim.parse(str(raw).strip())
            if dim.lo == 0:
                raise ValueError(raw)
        except ValueError:
            raise ConfigError(
                "Wrong batch size parameter provided. Model batch size will be set to default.",
                path=path,
                value=raw,
            ) from None
        return cls(dim=dim)


_LAYOUT_RE = re.compile(r"^(\.\.\.|[NCHWD?])*$")


@dataclass(frozen=True)
class LayoutSpec:
    """A layout pair: what the client sends (target) and what the model has (source)."""

    target: str
    source: str

    @classmethod
    def parse(cls, raw: Any, path: Path = ()) -> LayoutSpec:
        """Parse ``"NHWC:NCHW"`` or ``"NHWC"``."""
        if isinstance(raw, str):
            parts = raw.upper().split(":")
            if 1 <= len(parts) <= 2 and all(_valid_layout(p) for p in parts):
                return cls(parts[0], parts[-1])
        raise ConfigError(
            StatusCode.LAYOUT_WRONG_FORMAT.message,
            path=path,
            value=raw,
            code=StatusCode.LAYOUT_WRONG_FORMAT,
        )


def _valid_layout(text: str) -> bool:
    if not text or not _LAYOUT_RE.match(text):
        return False
    letters = text.replace("...", "").replace("?", "")
    return len(set(letters)) == len(letters) and text.count("...") <= 1


@dataclass(frozen=True)
class LayoutSetting:
    """The ``layout`` setting: one anonymous layout or layouts by tensor name."""

    anonymous: LayoutSpec | None = None
    named: dict[str, LayoutSpec] = field(default_factory=dict)

    @classmethod
    def parse(cls, raw: Any, path: Path = ()) -> LayoutSetting | None:
        """Parse a layout string, a JSON object text, or an object of tensor name to layout."""
        if raw is None:
            return None
        raw = _object_text(raw, path, StatusCode.LAYOUT_WRONG_FORMAT)
        if isinstance(raw, dict):
            return cls(named={k: LayoutSpec.parse(v, (*path, k)) for k, v in raw.items()})
        return cls(anonymous=LayoutSpec.parse(raw, path))
