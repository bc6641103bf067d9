"""Strings sent to a 2-D U8 input: zero-padded rows, one per string (SPEC 8.1c, 12.3)."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from ovms_core.base.errors import OvmsError
from ovms_core.base.status_codes import StatusCode
from ovms_core.execution.tensor_info import TensorInfo
from ovms_core.servables.binary.dims import dim_text, matches

__all__ = ["MAX_STRING_TENSOR_BYTES", "is_u8_string_input", "strings_to_u8"]

MAX_STRING_TENSOR_BYTES = 1024**3


def is_u8_string_input(info: TensorInfo) -> bool:
    """Whether ``info`` takes strings the OVMS "2-D U8" way."""
    return info.datatype.kserve == "UINT8" and len(info.dims) == 2


def strings_to_u8(items: Sequence[bytes], info: TensorInfo, where: str) -> np.ndarray:
    """``[N, longest + 1]`` UINT8, each string followed by zeros."""
    count = len(items)
    width = max((len(s) for s in items), default=0) + 1
    if count * width > MAX_STRING_TENSOR_BYTES:
        raise OvmsError(StatusCode.INVALID_STRING_MAX_SIZE_EXCEEDED, where)
    rows, columns = info.dims
    if info.batch_index == 0 and not matches(rows, count):
        raise OvmsError(
            StatusCode.INVALID_BATCH_SIZE, f"Expected: {dim_text(rows)}; Actual: {count}; {where}"
        )
    if not (matches(rows, count) and matches(columns, width)):
        raise OvmsError(
            StatusCode.INVALID_SHAPE,
            f"Expected batch size: {dim_text(rows)}; got: {count}; Expected max null terminated "
            f"string length: {dim_text(columns)}; got: {width}; {where}",
        )
    array = np.zeros((count, width), np.uint8)
    for row, data in enumerate(items):
        array[row, : len(data)] = np.frombuffer(data, np.uint8)
    return array
