"""Binary inputs (SPEC 12): encoded images and strings sent as BYTES to numeric model inputs."""

from ovms_core.servables.binary.decode import decode_image, resize_image
from ovms_core.servables.binary.inputs import binary_targets, convert_binary_inputs

__all__ = ["binary_targets", "convert_binary_inputs", "decode_image", "resize_image"]
