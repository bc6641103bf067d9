"""Strings sent to a 2-D U8 input: zero-padded rows, one per string (SPEC 8.1c, 12.3)."""

from __future__ import annotations

import numpy as np

from ovms_core.base.errors import OvmsError
from ovms_core.base.status_codes import StatusCode
from ovms_core.config.shapes import Dim
from ovms_core.execution.tensor_info import TensorInfo
from ovms_core.servables.conversion.interface import InputConverter
from ovms_core.servables.types import InferInput

__all__ = ["MAX_STRING_TENSOR_BYTES", "StringConverter"]

MAX_STRING_TENSOR_BYTES = 1024**3


class StringConverter(InputConverter):
    """``[N, longest + 1]`` UINT8 for a 2-D U8 input, each string followed by zeros."""

    def accepts(self, info: TensorInfo) -> bool:
        """2-D UINT8 inputs: strings the OVMS way."""
        return info.datatype.kserve == "UINT8" and len(info.dims) == 2

    async def convert(
        self, item: InferInput, elements: list[bytes], info: TensorInfo
    ) -> np.ndarray:
        """The zero-padded rows (cheap: done on the event loop)."""
        count = len(elements)
        width = max((len(s) for s in elements), default=0) + 1
        if count * width > MAX_STRING_TENSOR_BYTES:
            raise OvmsError(StatusCode.INVALID_STRING_MAX_SIZE_EXCEEDED)
        rows, columns = info.dims
        if info.batch_index == 0 and not _matches(rows, count):
            raise OvmsError(
                StatusCode.INVALID_BATCH_SIZE, f"Expected: {_text(rows)}; Actual: {count}"
            )
        if not (_matches(rows, count) and _matches(columns, width)):
            raise OvmsError(
                StatusCode.INVALID_SHAPE,
                f"Expected batch size: {_text(rows)}; got: {count}; Expected max null terminated "
                f"string length: {_text(columns)}; got: {width}",
            )
        array = np.zeros((count, width), np.uint8)
        for row, data in enumerate(elements):
            array[row, : len(data)] = np.frombuffer(data, np.uint8)
        return array


def _matches(dim: Dim, size: int) -> bool:
    return dim.lo == -1 or dim.lo <= size <= dim.hi


def _text(dim: Dim) -> str:
    if dim.lo == dim.hi:
        return str(dim.lo)
    return f"[{dim.lo}~{dim.hi}]"
