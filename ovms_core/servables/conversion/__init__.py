"""Input conversion (SPEC 12): BYTES request inputs made into the tensor a model input takes.

The kernel converts strings for 2-D U8 inputs itself; other conversions (encoded images for
4-D inputs: ``ovms-image``) are ``InputConverter`` plugins in the ``ovms.converters`` group.
"""

from ovms_core.servables.conversion.convert import (
    CONVERTERS_GROUP,
    IMAGE_DISTRIBUTION,
    convert_inputs,
)
from ovms_core.servables.conversion.interface import InputConverter

__all__ = ["CONVERTERS_GROUP", "IMAGE_DISTRIBUTION", "InputConverter", "convert_inputs"]
