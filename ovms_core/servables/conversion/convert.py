"""The conversion pass every inference request takes, and the discovery of converters.

A BYTES request input aimed at a model input of another datatype goes to the first converter
that accepts that model input: the kernel's string converter, then the installed converters in
entry-point name order. BYTES for a 4-D input with no converter installed is refused naming the
distribution to install; BYTES for any other input is left to the validation, which answers
``INVALID_PRECISION``. Requests without BYTES inputs pay one comparison per input.
"""

from __future__ import annotations

import asyncio
import dataclasses
import functools
import logging
from collections.abc import Mapping

from ovms_core.base.errors import OvmsError
from ovms_core.base.status_codes import StatusCode
from ovms_core.execution.tensor_info import TensorInfo
from ovms_core.plugins.entry_points import list_entries
from ovms_core.servables.conversion.interface import InputConverter
from ovms_core.servables.conversion.strings import StringConverter
from ovms_core.servables.types import InferInput, InferRequest

__all__ = ["CONVERTERS_GROUP", "IMAGE_DISTRIBUTION", "convert_inputs"]

CONVERTERS_GROUP = "ovms.converters"
IMAGE_DISTRIBUTION = "ovms-image"
"""The distribution that converts encoded images, named when it is missing."""

log = logging.getLogger("ovms.conversion")


async def convert_inputs(request: InferRequest, inputs: Mapping[str, TensorInfo]) -> InferRequest:
    """``request``, or a copy whose BYTES inputs for ``inputs`` carry converted tensors."""
    if all(item.datatype != "BYTES" for item in request.inputs):
        return request
    converted = list(request.inputs)
    converters: tuple[InputConverter, ...] | None = None
    for position, item in enumerate(request.inputs):
        info = _find(inputs, item.name) if item.datatype == "BYTES" else None
        if info is None or info.datatype.kserve == "BYTES":
            continue
        where = request.input_name_prefix + info.name
        if converters is None:
            converters = await _installed()
        converter = _converter_for(converters, info, where)
        if converter is None:
            continue
        try:
            array = await converter.convert(item, _elements(item, where), info)
        except OvmsError as error:
            details = f"{error.details}; {where}" if error.details else where
            raise OvmsError(error.code, details) from None
        converted[position] = InferInput(item.name, info.datatype.kserve, array.shape, values=array)
    return dataclasses.replace(request, inputs=converted)


def _converter_for(
    converters: tuple[InputConverter, ...], info: TensorInfo, where: str
) -> InputConverter | None:
    for converter in converters:
        if converter.accepts(info):
            return converter
    if len(info.dims) == 4:
        raise OvmsError(
            StatusCode.INVALID_PRECISION,
            f"encoded images for {info.datatype.kserve} inputs need the {IMAGE_DISTRIBUTION} "
            f"distribution: pip install {IMAGE_DISTRIBUTION}; {where}",
        )
    return None


async def _installed() -> tuple[InputConverter, ...]:
    """The converters; the first call loads them in a worker thread (imports take a while)."""
    if _converters.cache_info().currsize:
        return _converters()
    return await asyncio.to_thread(_converters)


@functools.cache
def _converters() -> tuple[InputConverter, ...]:
    """The kernel's string converter, then each installed converter (loaded once)."""
    loaded: list[InputConverter] = [StringConverter()]
    for entry in list_entries(CONVERTERS_GROUP):
        try:
            converter = entry.entry_point.load()()
        except Exception as error:
            raise OvmsError(
                StatusCode.INTERNAL_ERROR,
                f"input converter {entry.describe()} failed to load: "
                f"{type(error).__name__}: {error}",
            ) from error
        loaded.append(converter)
        log.info("Input converter %s", entry.describe())
    return tuple(loaded)


def _elements(item: InferInput, where: str) -> list[bytes]:
    """The elements of a 1-D BYTES input, checked against its shape."""
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


def _find(inputs: Mapping[str, TensorInfo], name: str) -> TensorInfo | None:
    info = inputs.get(name)
    if info is not None:
        return info
    return next((i for i in inputs.values() if name in i.aliases), None)
