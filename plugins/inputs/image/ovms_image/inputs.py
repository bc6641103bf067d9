"""Binary inputs (SPEC 12.2): encoded images sent as BYTES to a 4-D numeric model input.

The request tensor is 1-D: one encoded image per element. Images become ``[N, H, W, C]`` in the
model's precision (values kept in 0..255, not scaled), resized to the model's height and width
when the input allows resizing, else required to match it. The checks run on the event loop;
decoding runs in a worker thread.
"""

from __future__ import annotations

import asyncio

import numpy as np

from ovms_core import InferInput, InputConverter, OvmsError, StatusCode, TensorInfo
from ovms_image.codec import convert_pixels, decode_image, resize_image

__all__ = ["ImageConverter"]

# Precisions an image converts to (OpenCV ``convertTo`` targets).
_PRECISIONS = frozenset({"FP32", "FP64", "FP16", "INT16", "UINT8", "INT8", "UINT16", "INT32"})
_IMAGE_LAYOUT = "NHWC"
_RESIZABLE_LAYOUTS = frozenset({"", "NHWC", "N?HWC"})


class ImageConverter(InputConverter):
    """Decodes the images of a BYTES request input for a 4-D input, as OVMS does."""

    def accepts(self, info: TensorInfo) -> bool:
        """Any 4-D input that is not a string input (the OVMS "IMAGE" hint)."""
        return len(info.dims) == 4 and info.datatype.kserve != "BYTES"

    async def convert(
        self, item: InferInput, elements: list[bytes], info: TensorInfo
    ) -> np.ndarray:
        """Check, then decode in a worker thread into one batch tensor."""
        check_image_input(item, elements, info)
        loop = asyncio.get_running_loop()
        return await loop.run_in_executor(None, decode_images, elements, info)


def check_image_input(item: InferInput, elements: list[bytes], info: TensorInfo) -> None:
    """The checks OVMS makes before decoding: batch, layout, empty images, precision."""
    batch = info.batch_index
    if batch is None:
        raise OvmsError(StatusCode.INVALID_BATCH_SIZE, "Batch not present")
    lo, hi = info.dims[batch].lo, info.dims[batch].hi
    count = len(elements)
    if count == 0 or not _matches(lo, hi, count):
        raise OvmsError(
            StatusCode.INVALID_BATCH_SIZE, f"Expected: {_text(lo, hi)}; Actual: {count}"
        )
    if not _compatible(info.layout, _IMAGE_LAYOUT, len(info.dims)):
        raise OvmsError(StatusCode.UNSUPPORTED_LAYOUT, f"layout {info.layout}")
    if any(len(data) == 0 for data in elements):
        empty = item.label == "DT_STRING"
        raise OvmsError(StatusCode.STRING_VAL_EMPTY if empty else StatusCode.BYTES_CONTENTS_EMPTY)
    if info.datatype.kserve not in _PRECISIONS:
        raise OvmsError(
            StatusCode.INVALID_PRECISION, f"images cannot be converted to {info.datatype.ovms}"
        )


def decode_images(elements: list[bytes], info: TensorInfo) -> np.ndarray:
    """Decode, check, convert and resize every image into one ``[N, H, W, C]`` tensor."""
    _, height_dim, width_dim, channel_dim = info.dims
    resizable = info.layout in _RESIZABLE_LAYOUTS and all(d.lo != -1 for d in info.dims)
    dtype = info.datatype.numpy
    batch: np.ndarray | None = None
    for index, data in enumerate(elements):
        try:
            image = decode_image(data)
        except OvmsError as error:
            raise OvmsError(error.code, f"{error.details}; image {index}") from None
        height, width, channels = image.shape
        if batch is None:
            first_channels = channels
            target = (
                _target(height_dim.lo, height_dim.hi, height),
                _target(width_dim.lo, width_dim.hi, width),
            )
        elif not resizable and (height, width) != batch.shape[1:3]:
            raise OvmsError(StatusCode.BINARY_IMAGES_RESOLUTION_MISMATCH)
        if not _matches(channel_dim.lo, channel_dim.hi, channels) or channels != first_channels:
            raise OvmsError(
                StatusCode.INVALID_NO_OF_CHANNELS,
                f"Expected: {_text(channel_dim.lo, channel_dim.hi)}; Actual: {channels}",
            )
        image = convert_pixels(image, dtype)
        if (height, width) != target:
            if not resizable:
                raise OvmsError(
                    StatusCode.INVALID_SHAPE,
                    f"Expected: {info.shape_text()}; Actual: image of {height}x{width}",
                )
            image = resize_image(image, *target)
        if batch is None:
            batch = np.empty((len(elements), *target, channels), dtype)
        batch[index] = image
    assert batch is not None
    return batch


def _matches(lo: int, hi: int, size: int) -> bool:
    """Whether ``size`` fits the dimension ``lo..hi`` (``-1``: any)."""
    return lo == -1 or lo <= size <= hi


def _text(lo: int, hi: int) -> str:
    """The dimension as OVMS messages print it: ``3``, ``-1`` or ``[1~10]``."""
    return str(lo) if lo == hi else f"[{lo}~{hi}]"


def _target(lo: int, hi: int, size: int) -> int:
    """The size an image dimension becomes: static, the image's own, or clamped to a range."""
    return size if lo == -1 else min(max(size, lo), hi)


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
