"""Zero-copy helpers for tensors built over request buffers."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np

__all__ = ["format_shape", "shareable", "view_buffer"]


class _WritableAlias:
    """Exposes a read-only array's memory as writable so OpenVINO can share it.

    OpenVINO only shares writable numpy memory; inputs are never written by inference, so an
    alias over an immutable request buffer (``bytes``) is safe. The alias keeps its source alive.
    """

    def __init__(self, source: np.ndarray) -> None:
        self._source = source
        interface = dict(source.__array_interface__)
        interface["data"] = (interface["data"][0], False)
        self.__array_interface__ = interface


def shareable(array: np.ndarray) -> np.ndarray:
    """Return ``array`` itself when writable and contiguous, else a writable alias or a copy."""
    if not array.flags.c_contiguous:
        return np.ascontiguousarray(array)
    if array.flags.writeable:
        return array
    return np.asarray(_WritableAlias(array))


def view_buffer(buffer: Any, dtype: np.dtype, shape: Sequence[int], offset: int = 0) -> np.ndarray:
    """View ``count(shape)`` elements of ``buffer`` from ``offset`` without copying."""
    count = 1
    for dim in shape:
        count *= dim
    flat = np.frombuffer(buffer, dtype=dtype, count=count, offset=offset)
    return flat.reshape(shape)


def format_shape(shape: Sequence[Any]) -> str:
    """OVMS shape text: ``(1,3,224,224)``; dynamic dims as ``-1``, ranges as ``[min~max]``."""
    return "(" + ",".join(str(d) for d in shape) + ")"
