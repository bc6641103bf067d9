"""The binary-input pass: BYTES request inputs aimed at non-string model inputs (SPEC 12).

A BYTES input for a native string input needs nothing here. For a 2-D U8 input the strings
become zero-padded rows; for a 4-D input the elements are encoded images, decoded in a worker
thread so the event loop never waits on them. BYTES sent to any other input is left to the
validation, which answers ``INVALID_PRECISION`` (a client error, where OVMS answers 500
``NOT_IMPLEMENTED``). Requests without BYTES inputs pay one datatype comparison per input.
"""

from __future__ import annotations

import asyncio
import dataclasses

from ovms_core.execution.tensor_info import TensorInfo
from ovms_core.models.loader import LoadedModel
from ovms_core.servables.binary.images import check_image_input, decode_images, elements
from ovms_core.servables.binary.strings import is_u8_string_input, strings_to_u8
from ovms_core.servables.types import InferInput, InferRequest

__all__ = ["binary_targets", "convert_binary_inputs"]

_Target = tuple[int, InferInput, TensorInfo]


def binary_targets(request: InferRequest, model: LoadedModel) -> list[_Target]:
    """``(position, request input, model input)`` for each BYTES input needing conversion."""
    targets: list[_Target] = []
    for position, item in enumerate(request.inputs):
        if item.datatype != "BYTES":
            continue
        info = _find(model, item.name)
        if info is not None and (is_u8_string_input(info) or _is_image_input(info)):
            targets.append((position, item, info))
    return targets


async def convert_binary_inputs(request: InferRequest, targets: list[_Target]) -> InferRequest:
    """A copy of ``request`` whose ``targets`` carry decoded tensors in the model's datatype."""
    inputs = list(request.inputs)
    loop = asyncio.get_running_loop()
    for position, item, info in targets:
        where = request.input_name_prefix + info.name
        items = elements(item, where)
        if is_u8_string_input(info):
            array = strings_to_u8(items, info, where)
        else:
            check_image_input(item, items, info, where)
            array = await loop.run_in_executor(None, decode_images, items, info, where)
        inputs[position] = InferInput(item.name, info.datatype.kserve, array.shape, values=array)
    return dataclasses.replace(request, inputs=inputs)


def _is_image_input(info: TensorInfo) -> bool:
    return len(info.dims) == 4 and info.datatype.kserve != "BYTES"


def _find(model: LoadedModel, name: str) -> TensorInfo | None:
    info = model.inputs.get(name)
    if info is not None:
        return info
    return next((i for i in model.inputs.values() if name in i.aliases), None)
