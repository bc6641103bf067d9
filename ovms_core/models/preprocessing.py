"""OpenVINO pre-processing steps for the --mean, --scale, --color_format, --precision flags."""

from __future__ import annotations

import openvino as ov

from ovms_core.config.preprocessing import Preprocessing

__all__ = ["add_preprocessing"]

_COLORS = {
    "RGB": ov.preprocess.ColorFormat.RGB,
    "BGR": ov.preprocess.ColorFormat.BGR,
    "GRAY": ov.preprocess.ColorFormat.GRAY,
    "NV12": ov.preprocess.ColorFormat.NV12_SINGLE_PLANE,
    "NV12_2": ov.preprocess.ColorFormat.NV12_TWO_PLANES,
    "I420": ov.preprocess.ColorFormat.I420_SINGLE_PLANE,
    "I420_3": ov.preprocess.ColorFormat.I420_THREE_PLANES,
}
_TYPES = {
    "fp64": ov.Type.f64,
    "fp32": ov.Type.f32,
    "fp16": ov.Type.f16,
    "uint1": ov.Type.u1,
    "int8": ov.Type.i8,
    "uint8": ov.Type.u8,
    "int16": ov.Type.i16,
    "uint16": ov.Type.u16,
    "int32": ov.Type.i32,
    "uint32": ov.Type.u32,
    "int64": ov.Type.i64,
    "uint64": ov.Type.u64,
    "bf16": ov.Type.bf16,
}


def add_preprocessing(info: ov.preprocess.InputInfo, steps: Preprocessing) -> None:
    """Add the steps to one model input of a ``PrePostProcessor`` (its layouts already set).

    The client sends the target precision and color format; the values are converted to
    FP32 before mean and scale, then to what the model takes.
    """
    tensor = info.tensor()
    process = info.preprocess()
    if steps.precision is not None:
        tensor.set_element_type(_TYPES[steps.precision[0]])
    if steps.color_format is not None:
        target, source = steps.color_format
        tensor.set_color_format(_COLORS[target])
        if target != source:
            process.convert_color(_COLORS[source])
    if steps.mean is not None or steps.scale is not None:
        process.convert_element_type(ov.Type.f32)
        if steps.mean is not None:
            process.mean(_values(steps.mean))
        if steps.scale is not None:
            process.scale(_values(steps.scale))


def _values(numbers: tuple[float, ...]) -> float | list[float]:
    return numbers[0] if len(numbers) == 1 else list(numbers)
