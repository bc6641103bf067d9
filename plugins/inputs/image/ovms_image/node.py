"""Pipeline node type ``image``: encoded pictures in, a tensor a vision model takes out.

Input ``image``: BYTES ``[N]``, one encoded picture (JPEG, PNG, anything OpenCV reads) per
element, decoded to 8 bits per channel, EXIF orientation not applied. Output ``image``:
``[N, H, W, C]`` (or ``[N, C, H, W]``) in the chosen datatype.
Every step is a node ``param`` (all optional):

``resize_width`` / ``resize_height``  resize to this size (OpenCV ``INTER_LINEAR``)
``crop_width`` / ``crop_height``      then cut this much out of the centre
``color_order``                       ``RGB`` (default), ``BGR`` or ``GRAY``
``layout``                            ``NHWC`` (default) or ``NCHW``
``datatype``                          KServe name of the output type, default ``FP32``
``mean`` / ``scale``                  per-channel (or one) values: ``(pixel - mean) / scale``

Without a resize, all pictures of one request must have the same size.
"""

from __future__ import annotations

from dataclasses import dataclass

import cv2
import numpy as np

from ovms_core import (
    NodeDriver,
    NodeSpec,
    OvmsError,
    PipelineNode,
    StatusCode,
    TensorMetadata,
    by_kserve_name,
)
from ovms_image.codec import decode_image, resize_image

__all__ = ["ImageNode", "ImageNodeDriver", "ImageSettings"]

PORT = "image"
# imdecode flags per colour order: 8-bit BGR (RGB is reversed after) or one gray channel.
_COLOR_MODES = {
    "RGB": cv2.IMREAD_COLOR | cv2.IMREAD_IGNORE_ORIENTATION,
    "BGR": cv2.IMREAD_COLOR | cv2.IMREAD_IGNORE_ORIENTATION,
    "GRAY": cv2.IMREAD_GRAYSCALE | cv2.IMREAD_IGNORE_ORIENTATION,
}


@dataclass(frozen=True)
class ImageSettings:
    """The node's params, checked."""

    resize: tuple[int, int] | None = None
    crop: tuple[int, int] | None = None
    color_order: str = "RGB"
    layout: str = "NHWC"
    datatype: str = "FP32"
    mean: tuple[float, ...] = ()
    scale: tuple[float, ...] = ()

    @classmethod
    def parse(cls, node: str, params: dict[str, str]) -> ImageSettings:
        """Settings from ``params``; unknown keys or bad values raise ``OvmsError``."""
        known = {
            "resize_width",
            "resize_height",
            "crop_width",
            "crop_height",
            "color_order",
            "layout",
            "datatype",
            "mean",
            "scale",
        }
        unknown = sorted(set(params) - known)
        if unknown:
            raise _param_error(node, unknown[0], f"unknown (known: {', '.join(sorted(known))})")
        color = params.get("color_order", "RGB").upper()
        if color not in _COLOR_MODES:
            raise _param_error(node, "color_order", "expected RGB, BGR or GRAY")
        layout = params.get("layout", "NHWC").upper()
        if layout not in ("NHWC", "NCHW"):
            raise _param_error(node, "layout", "expected NHWC or NCHW")
        datatype = params.get("datatype", "FP32").upper()
        found = by_kserve_name(datatype)
        if found is None or found.kserve in ("BYTES", "BOOL", "BF16"):
            raise _param_error(node, "datatype", "expected a numeric KServe datatype such as FP32")
        settings = cls(
            resize=_size(node, params, "resize"),
            crop=_size(node, params, "crop"),
            color_order=color,
            layout=layout,
            datatype=datatype,
            mean=_floats(node, params, "mean"),
            scale=_floats(node, params, "scale"),
        )
        channels = settings.channels
        for key, values in (("mean", settings.mean), ("scale", settings.scale)):
            if len(values) not in (0, 1, channels):
                raise _param_error(node, key, f"expected 1 or {channels} values")
        if any(v == 0 for v in settings.scale):
            raise _param_error(node, "scale", "values must not be 0")
        if (
            settings.crop
            and settings.resize
            and (settings.crop[0] > settings.resize[0] or settings.crop[1] > settings.resize[1])
        ):
            raise _param_error(node, "crop_width", "the crop must fit in the resized picture")
        return settings

    @property
    def channels(self) -> int:
        """1 for GRAY, else 3."""
        return 1 if self.color_order == "GRAY" else 3

    @property
    def size(self) -> tuple[int, int]:
        """(width, height) of the output; -1 when it follows the pictures."""
        return self.crop or self.resize or (-1, -1)

    def output_shape(self) -> list[int]:
        """The declared output shape."""
        width, height = self.size
        if self.layout == "NCHW":
            return [-1, self.channels, height, width]
        return [-1, height, width, self.channels]


def _param_error(node: str, key: str, problem: str) -> OvmsError:
    return OvmsError(StatusCode.NODE_LIBRARY_INITIALIZE_FAILED, f"node: {node}; {key}: {problem}")


def _size(node: str, params: dict[str, str], prefix: str) -> tuple[int, int] | None:
    width, height = params.get(f"{prefix}_width"), params.get(f"{prefix}_height")
    if width is None and height is None:
        return None
    if width is None or height is None:
        raise _param_error(node, f"{prefix}_width", f"set both {prefix}_width and _height")
    try:
        size = int(width), int(height)
    except ValueError:
        raise _param_error(node, f"{prefix}_width", "expected integers") from None
    if min(size) <= 0:
        raise _param_error(node, f"{prefix}_width", "expected positive integers")
    return size


def _floats(node: str, params: dict[str, str], key: str) -> tuple[float, ...]:
    text = params.get(key)
    if text is None:
        return ()
    try:
        return tuple(float(v) for v in text.split(","))
    except ValueError:
        raise _param_error(node, key, "expected comma-separated numbers") from None


class ImageNode(PipelineNode):
    """Decodes, resizes, crops, reorders and normalizes a batch of pictures."""

    def __init__(self, name: str, settings: ImageSettings) -> None:
        self.name = name
        self.settings = settings
        datatype = by_kserve_name(settings.datatype)
        assert datatype is not None
        self._dtype = datatype.numpy

    def inputs_info(self) -> list[TensorMetadata]:
        """``image``: BYTES ``[N]``."""
        return [TensorMetadata(PORT, "BYTES", [-1])]

    def outputs_info(self) -> list[TensorMetadata]:
        """``image`` in the configured datatype, layout and size."""
        return [TensorMetadata(PORT, self.settings.datatype, self.settings.output_shape())]

    def execute(self, inputs: dict[str, np.ndarray]) -> dict[str, np.ndarray]:
        """One picture per element of ``image``, stacked into one tensor."""
        pictures = [self._picture(index, item) for index, item in enumerate(inputs[PORT].flat)]
        first = pictures[0].shape if pictures else ()
        for picture in pictures:
            if picture.shape != first:
                raise OvmsError(
                    StatusCode.BINARY_IMAGES_RESOLUTION_MISMATCH,
                    f"node: {self.name}; sizes {first[1]}x{first[0]} and "
                    f"{picture.shape[1]}x{picture.shape[0]}; set resize_width and resize_height",
                )
        width, height = self.settings.size
        empty_shape = (0, max(height, 0), max(width, 0), self.settings.channels)
        batch = np.stack(pictures) if pictures else np.empty(empty_shape, np.float32)
        batch = self._normalized(batch)
        if self.settings.layout == "NCHW":
            batch = np.ascontiguousarray(batch.transpose(0, 3, 1, 2))
        return {PORT: batch}

    def _picture(self, index: int, item: object) -> np.ndarray:
        data = item.encode() if isinstance(item, str) else item
        if not isinstance(data, bytes | bytearray | memoryview):
            raise OvmsError(StatusCode.IMAGE_PARSING_FAILED, f"node: {self.name}; image {index}")
        try:
            pixels = decode_image(bytes(data), _COLOR_MODES[self.settings.color_order])
        except OvmsError as error:
            raise OvmsError(
                error.code, f"node: {self.name}; image {index}: {error.details}"
            ) from None
        settings = self.settings
        if settings.resize is not None:
            width, height = settings.resize
            pixels = resize_image(pixels, height, width)
        if settings.crop is not None:
            width, height = settings.crop
            if width > pixels.shape[1] or height > pixels.shape[0]:
                raise OvmsError(
                    StatusCode.INVALID_SHAPE,
                    f"node: {self.name}; image {index} is {pixels.shape[1]}x{pixels.shape[0]}, "
                    f"smaller than the crop {width}x{height}",
                )
            top, left = (pixels.shape[0] - height) // 2, (pixels.shape[1] - width) // 2
            pixels = pixels[top : top + height, left : left + width]
        if settings.color_order == "RGB":
            pixels = pixels[:, :, ::-1]
        return pixels

    def _normalized(self, batch: np.ndarray) -> np.ndarray:
        settings = self.settings
        if settings.mean or settings.scale:
            values = batch.astype(np.float32)
            if settings.mean:
                values -= np.asarray(settings.mean, np.float32)
            if settings.scale:
                values /= np.asarray(settings.scale, np.float32)
            return values.astype(self._dtype, copy=False)
        return batch.astype(self._dtype)


class ImageNodeDriver(NodeDriver):
    """Builds ``ImageNode`` objects from node params."""

    def create(self, spec: NodeSpec) -> ImageNode:
        """Check the params and build the node."""
        return ImageNode(spec.name, ImageSettings.parse(spec.name, spec.params))
