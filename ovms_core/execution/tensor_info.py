"""What a served model expects and returns, tensor by tensor."""

from __future__ import annotations

from dataclasses import dataclass

from ovms_core.base.datatypes import Datatype
from ovms_core.config.shapes import Dim

__all__ = ["TensorInfo"]


@dataclass(frozen=True)
class TensorInfo:
    """One input or output as clients see it (exposed name, datatype, shape)."""

    name: str
    index: int
    datatype: Datatype
    dims: tuple[Dim, ...]
    batch_index: int | None
    layout: str = ""
    aliases: frozenset[str] = frozenset()
    """Other tensor names of the same port; requests may use any of them."""

    @property
    def metadata_shape(self) -> list[int]:
        """The shape for metadata: static sizes, ``-1`` for any non-static dimension."""
        return [d.lo if d.lo == d.hi else -1 for d in self.dims]

    def shape_text(self) -> str:
        """The shape in OVMS message syntax: ``(1,-1,[1~10])``."""
        return "(" + ",".join(_dim_text(d) for d in self.dims) + ")"


def _dim_text(dim: Dim) -> str:
    if dim.lo == dim.hi:
        return str(dim.lo)
    return f"[{dim.lo}~{dim.hi}]"
