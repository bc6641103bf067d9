"""Small helpers on model dimensions shared by the binary input conversions."""

from __future__ import annotations

from ovms_core.config.shapes import Dim

__all__ = ["dim_text", "matches"]


def matches(dim: Dim, size: int) -> bool:
    """Whether ``size`` fits ``dim`` (static, range or any)."""
    return dim.lo == -1 or dim.lo <= size <= dim.hi


def dim_text(dim: Dim) -> str:
    """The dimension as OVMS messages print it: ``3``, ``-1`` or ``[1~10]``."""
    if dim.lo == dim.hi:
        return str(dim.lo)
    return f"[{dim.lo}~{dim.hi}]"
