"""Encoded pictures to tensors with OpenCV, for binary inputs and for pipelines.

Two plugins in one distribution, sharing one decoder (``ovms_image.codec``):

* ``ImageConverter`` (entry point ``image`` in ``ovms.converters``): JPEG/PNG sent as BYTES to
  a 4-D model input are decoded and resized as OVMS does (SPEC 12.2).
* ``ImageNodeDriver`` (entry point ``image`` in ``ovms.nodes``): the pipeline node type
  ``image``, which decodes, resizes, crops, reorders and normalizes pictures.
"""

from ovms_image.codec import decode_image, resize_image
from ovms_image.inputs import ImageConverter
from ovms_image.node import ImageNode, ImageNodeDriver, ImageSettings

__all__ = [
    "ImageConverter",
    "ImageNode",
    "ImageNodeDriver",
    "ImageSettings",
    "decode_image",
    "resize_image",
]
