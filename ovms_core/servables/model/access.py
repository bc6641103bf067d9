"""The served models as other kinds of servable use them: ports, and one inference on arrays.

Outputs are written into tensors allocated for each run, so the infer request goes back to its
pool at once while the caller keeps the outputs without a copy.
"""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np
import openvino as ov

from ovms_core.base.datatypes import BYTES, from_numpy
from ovms_core.base.errors import OvmsError
from ovms_core.base.status_codes import StatusCode
from ovms_core.base.tensors import format_shape, shareable
from ovms_core.config.shapes import Dim
from ovms_core.execution.tensor_info import TensorInfo
from ovms_core.models.loader import uses_auto
from ovms_core.models.manager import ModelManager
from ovms_core.models.states import VersionState

__all__ = ["ModelAccess", "check_tensor", "dims_compatible"]


def dims_compatible(a: tuple[Dim, ...], b: tuple[Dim, ...]) -> bool:
    """Whether two shapes can describe the same tensor (ranges overlap, -1 matches all)."""
    if len(a) != len(b):
        return False
    for x, y in zip(a, b, strict=True):
        if x.lo == -1 or y.lo == -1:
            continue
        if max(x.lo, y.lo) > min(x.hi, y.hi):
            return False
    return True


def check_tensor(
    where: str,
    info: TensorInfo,
    array: np.ndarray,
    precision_code: StatusCode = StatusCode.INVALID_PRECISION,
    shape_code: StatusCode = StatusCode.INVALID_SHAPE,
) -> None:
    """Raise unless ``array`` has the datatype of ``info`` and a shape it allows."""
    if info.datatype is BYTES:
        matches = array.dtype.kind in "OSU"
    else:
        matches = array.dtype == info.datatype.numpy
    if not matches:
        actual = from_numpy(array.dtype)
        raise OvmsError(
            precision_code,
            f"{where}; Expected: {info.datatype.ovms}; "
            f"Actual: {actual.ovms if actual else array.dtype}",
        )
    if not dims_compatible(info.dims, tuple(Dim(d, d) for d in array.shape)):
        raise OvmsError(
            shape_code,
            f"{where}; Expected: {info.shape_text()}; Actual: {format_shape(array.shape)}",
        )


class ModelAccess:
    """What a kind of servable may do with the served models (version None: the default)."""

    def __init__(self, manager: ModelManager) -> None:
        self._manager = manager

    def ports(
        self, name: str, version: int | None
    ) -> tuple[Mapping[str, TensorInfo], Mapping[str, TensorInfo]]:
        """(inputs, outputs) of an AVAILABLE model version, by port name.

        Raises ``OvmsError``: ``PIPELINE_NODE_REFERING_TO_MISSING_MODEL`` when the model or
        version is not served, ``FORBIDDEN_MODEL_DYNAMIC_PARAMETER`` when it is stateful or
        uses an auto batch size or shape.
        """
        model = self._manager.get(name)
        missing = OvmsError(
            StatusCode.PIPELINE_NODE_REFERING_TO_MISSING_MODEL,
            f"Missing model: {name};" + (f" version: {version};" if version else ""),
        )
        if model is None or model.removed:
            raise missing
        config = model.config
        if config.stateful or uses_auto(config):
            raise OvmsError(
                StatusCode.FORBIDDEN_MODEL_DYNAMIC_PARAMETER,
                f"Model: {name} is stateful or uses auto batch size or shape",
            )
        found = model.versions.get(version) if version else model.default
        if found is None or found.state != VersionState.AVAILABLE or found.compiled is None:
            raise missing
        loaded = found.compiled.model
        return loaded.inputs, loaded.outputs

    async def infer(
        self, where: str, name: str, version: int | None, inputs: Mapping[str, np.ndarray]
    ) -> dict[str, np.ndarray]:
        """Infer ``inputs`` (by model input name) on the model; outputs by model output name.

        ``where`` names the caller in error details (e.g. ``node: a``). The outputs are the
        caller's: they stay valid after the infer request returns to its pool.
        """
        model = self._manager.get(name)
        if model is None or model.removed:
            raise OvmsError(StatusCode.MODEL_NAME_MISSING, f"{where}; model: {name}")
        _, servable = await model.resolve(version)
        servable.enter()
        try:
            loaded = servable.model
            arrays = []
            for info in loaded.inputs.values():
                array = inputs.get(info.name)
                if array is None:
                    raise OvmsError(
                        StatusCode.INVALID_MISSING_INPUT, f"{where}; Required input: {info.name}"
                    )
                check_tensor(f"{where}; input: {info.name}", info, array)
                arrays.append((info.index, shareable(array)))
            pool = servable.pool
            slot = await pool.acquire()
            try:
                request = slot.request
                fresh: dict[str, tuple[TensorInfo, ov.Tensor, ov.Tensor]] = {}
                try:
                    for index, array in arrays:
                        request.set_input_tensor(index, ov.Tensor(array, shared_memory=True))
                    for info in loaded.outputs.values():
                        if info.datatype is BYTES:
                            continue
                        shape = [d.lo if d.lo == d.hi and d.lo >= 0 else 0 for d in info.dims]
                        tensor = ov.Tensor(info.datatype.ov_type, shape)
                        kept = request.get_output_tensor(info.index)
                        request.set_output_tensor(info.index, tensor)
                        fresh[info.name] = (info, tensor, kept)
                except RuntimeError as error:
                    raise OvmsError(StatusCode.OV_INTERNAL_INFERENCE_ERROR, str(error)) from None
                try:
                    await pool.run(slot)
                    outputs: dict[str, np.ndarray] = {}
                    for info in loaded.outputs.values():
                        if info.name in fresh:
                            outputs[info.name] = fresh[info.name][1].data
                        else:
                            tensor = request.get_output_tensor(info.index)
                            strings = np.empty(tensor.get_size(), dtype=object)
                            strings[:] = [s.encode() for s in tensor.str_data]
                            outputs[info.name] = strings.reshape(tuple(tensor.shape))
                finally:
                    for info, _, kept in fresh.values():
                        request.set_output_tensor(info.index, kept)
            finally:
                pool.release(slot)
        finally:
            servable.leave()
        return outputs
