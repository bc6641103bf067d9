"""Decoding and resizing images with OpenCV, as OVMS does (optional extra ``ovms-core[images]``).

Decoding is ``imdecode`` with ``IMREAD_UNCHANGED``: shape ``[H, W, C]``, colour in **BGR** order
(BGRA with alpha), grayscale as one channel, 16-bit PNGs as ``uint16``, EXIF orientation not
applied. Resizing is ``resize`` with ``INTER_LINEAR``. OpenCV is imported on first use, in the
worker thread that decodes, so servers that never see an image never load it.
"""

from __future__ import annotations

import functools
from typing import Any

import numpy as np

from ovms_core.base.errors import OvmsError
from ovms_core.base.status_codes import StatusCode

__all__ = ["convert_pixels", "decode_image", "resize_image"]

# Element types OpenCV resizes directly; others are resized in float32 and converted back.
_RESIZABLE = frozenset(
    {np.dtype(t) for t in (np.uint8, np.uint16, np.int16, np.float32, np.float64)}
)


@functools.cache
def _opencv() -> Any:
    try:
        import cv2
    except ImportError:
        return None
    return cv2


def _require_opencv() -> Any:
    cv2 = _opencv()
    if cv2 is None:
        raise OvmsError(
            StatusCode.NOT_IMPLEMENTED,
            "binary image inputs need OpenCV: pip install 'ovms-core[images]'",
        )
    return cv2


def decode_image(data: bytes) -> np.ndarray:
    """Pixels of one encoded image; ``IMAGE_PARSING_FAILED`` when it cannot be decoded."""
    cv2 = _require_opencv()
    try:
        image = cv2.imdecode(np.frombuffer(data, np.uint8), cv2.IMREAD_UNCHANGED)
    except cv2.error:
        image = None
    if image is None or image.size == 0:
        raise OvmsError(StatusCode.IMAGE_PARSING_FAILED, "not an image in a known format")
    pixels: np.ndarray = image[:, :, np.newaxis] if image.ndim == 2 else image
    return pixels


def resize_image(image: np.ndarray, height: int, width: int) -> np.ndarray:
    """``image`` ``[H, W, C]`` resized bilinearly to ``[height, width, C]``, same dtype."""
    cv2 = _require_opencv()
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
