"""Decoding and resizing pictures with OpenCV, as OVMS does.

``decode_image`` is ``imdecode`` with ``IMREAD_UNCHANGED``: shape ``[H, W, C]``, colour in
**BGR** order (BGRA with alpha), grayscale as one channel, 16-bit PNGs as ``uint16``, EXIF
orientation not applied. ``resize_image`` is ``resize`` with ``INTER_LINEAR``. OpenCV releases
the GIL while it works, so worker threads decode in parallel.
"""

from __future__ import annotations

import cv2
import numpy as np

from ovms_core import OvmsError, StatusCode

__all__ = ["convert_pixels", "decode_image", "resize_image"]

# Element types OpenCV resizes directly; others are resized in float32 and converted back.
_RESIZABLE = frozenset(
    {np.dtype(t) for t in (np.uint8, np.uint16, np.int16, np.float32, np.float64)}
)


def decode_image(data: bytes, flags: int = cv2.IMREAD_UNCHANGED) -> np.ndarray:
    """Pixels ``[H, W, C]`` of one encoded image; ``IMAGE_PARSING_FAILED`` when it cannot be.

    ``flags``: ``imdecode`` flags (``IMREAD_UNCHANGED``: as stored, as OVMS decodes).
    """
    try:
        image = cv2.imdecode(np.frombuffer(data, np.uint8), flags)
    except cv2.error:
        image = None
    if image is None or image.size == 0:
        raise OvmsError(StatusCode.IMAGE_PARSING_FAILED, "not an image in a known format")
    pixels: np.ndarray = image[:, :, np.newaxis] if image.ndim == 2 else image
    return pixels


def resize_image(image: np.ndarray, height: int, width: int) -> np.ndarray:
    """``image`` ``[H, W, C]`` resized bilinearly to ``[height, width, C]``, same dtype."""
    source = image if image.dtype in _RESIZABLE else image.astype(np.float32)
    resized = cv2.resize(source, (width, height), interpolation=cv2.INTER_LINEAR)
    if resized.ndim == 2:
        resized = resized[:, :, np.newaxis]
    return convert_pixels(resized, image.dtype)


def convert_pixels(image: np.ndarray, dtype: np.dtype) -> np.ndarray:
    """OpenCV ``convertTo`` semantics: same values, rounded and saturated to ``dtype``."""
    if image.dtype == dtype:
        return image
    if dtype.kind in "iu":
        limits = np.iinfo(dtype)
        if image.dtype.kind == "f":
            image = np.clip(np.rint(image), limits.min, limits.max)
        elif np.iinfo(image.dtype).max > limits.max or np.iinfo(image.dtype).min < limits.min:
            image = np.clip(image, limits.min, limits.max)
    converted: np.ndarray = image.astype(dtype)
    return converted
