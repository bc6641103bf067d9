"""Encoded images sent to a 4-D input: checks, decoding and the batch tensor (SPEC 12.2).

The request tensor is 1-D: one encoded image per element. Images become ``[N, H, W, C]`` in the
model's precision (values kept in 0..255, not scaled), resized to the model's height and width
when the input allows resizing, else required to match it.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from ovms_core.base.errors import OvmsError
from ovms_core.base.status_codes import StatusCode
from ovms_core.config.shapes import Dim
from ovms_core.execution.tensor_info import TensorInfo
from ovms_core.servables.binary.decode import convert_pixels, decode_image, resize_image
from ovms_core.servables.binary.dims import dim_text, matches
from ovms_core.servables.types import InferInput

__all__ = ["check_image_input", "decode_images", "elements"]

# Precisions an image converts to (OpenCV ``convertTo`` targets).
_PRECISIONS = frozenset({"FP32", "FP64", "FP16", "INT16", "UINT8", "INT8", "UINT16", "INT32"})
_IMAGE_LAYOUT = "NHWC"
_RESIZABLE_LAYOUTS = frozenset({"", "NHWC", "N?HWC"})


def elements(item: InferInput, where: str) -> list[bytes]:
    """The elements of a 1-D BYTES input, checked against its shape; empty ones refused."""
    shape = tuple(item.shape)
    if len(shape) != 1:
        raise OvmsError(
            StatusCode.INVALID_NO_OF_SHAPE_DIMENSIONS,
            f"Expected number of binary input shape dimensions: 1; Actual: {len(shape)}; {where}",
        )
    values = item.values
    items: list[bytes] = [] if values is None else list(values.reshape(-1))
    if shape[0] != len(items):
        raise OvmsError(
            StatusCode.INVALID_BATCH_SIZE,
            f"Expected: {shape[0]} elements as the shape says; Actual: {len(items)}; {where}",
        )
    return items


def check_image_input(
    item: InferInput, items: Sequence[bytes], info: TensorInfo, where: str
) -> None:
    """The checks OVMS makes before decoding: batch, layout, empty images, precision."""
    batch = info.batch_index
    if batch is None:
        raise OvmsError(StatusCode.INVALID_BATCH_SIZE, f"Batch not present in {where}")
    dim = info.dims[batch]
    count = len(items)
    if count == 0 or not matches(dim, count):
        raise OvmsError(
            StatusCode.INVALID_BATCH_SIZE, f"Expected: {dim_text(dim)}; Actual: {count}; {where}"
        )
    if not _compatible(info.layout, _IMAGE_LAYOUT, len(info.dims)):
        raise OvmsError(StatusCode.UNSUPPORTED_LAYOUT, f"layout {info.layout}; {where}")
    if any(len(data) == 0 for data in items):
        code = (
            StatusCode.STRING_VAL_EMPTY
            if item.label == "DT_STRING"
            else (StatusCode.BYTES_CONTENTS_EMPTY)
        )
        raise OvmsError(code, where)
    if info.datatype.kserve not in _PRECISIONS:
        raise OvmsError(
            StatusCode.INVALID_PRECISION,
            f"images cannot be converted to {info.datatype.ovms}; {where}",
        )


def decode_images(items: Sequence[bytes], info: TensorInfo, where: str) -> np.ndarray:
    """Decode, check, convert and resize every image into one ``[N, H, W, C]`` tensor.

    Runs in a worker thread: OpenCV releases the GIL while it works.
    """
    _, height_dim, width_dim, channel_dim = info.dims
    resizable = info.layout in _RESIZABLE_LAYOUTS and all(d.lo != -1 for d in info.dims)
    dtype = info.datatype.numpy
    batch: np.ndarray | None = None
    for index, data in enumerate(items):
        try:
            image = decode_image(data)
        except OvmsError as error:
            raise OvmsError(error.code, f"{error.details}; image {index}; {where}") from None
        height, width, channels = image.shape
        if batch is None:
            first_channels = channels
            target = (_target(height_dim, height), _target(width_dim, width))
        elif not resizable and (height, width) != batch.shape[1:3]:
            raise OvmsError(StatusCode.BINARY_IMAGES_RESOLUTION_MISMATCH, where)
        if not matches(channel_dim, channels) or channels != first_channels:
            raise OvmsError(
                StatusCode.INVALID_NO_OF_CHANNELS,
                f"Expected: {dim_text(channel_dim)}; Actual: {channels}; {where}",
            )
        image = convert_pixels(image, dtype)
        if (height, width) != target:
            if not resizable:
                raise OvmsError(
                    StatusCode.INVALID_SHAPE,
                    f"Expected: {info.shape_text()}; Actual: image of {height}x{width}; {where}",
                )
            image = resize_image(image, *target)
        if batch is None:
            batch = np.empty((len(items), *target, channels), dtype)
        batch[index] = image
    assert batch is not None
    return batch


def _target(dim: Dim, size: int) -> int:
    """The size an image dimension becomes: static, the image's own, or clamped to a range."""
    if dim.lo == -1:
        return size
    return min(max(size, dim.lo), dim.hi)


def _expand(layout: str, rank: int) -> str | None:
    """``layout`` with ``...`` widened to ``rank`` letters (``?`` for unknown ones)."""
    if "..." not in layout:
        return layout if len(layout) == rank else None
    head, tail = layout.split("...", 1)
    tail = tail.replace("...", "")
    free = rank - len(head) - len(tail)
    return head + "?" * free + tail if free >= 0 else None


def _compatible(layout: str, wanted: str, rank: int) -> bool:
    """Whether ``layout`` can describe the same dimensions as ``wanted`` (``""``: unknown)."""
    if not layout:
        return True
    mine, theirs = _expand(layout, rank), _expand(wanted, rank)
    if mine is None or theirs is None:
        return False
    return all(a == b or "?" in (a, b) for a, b in zip(mine, theirs, strict=True))
