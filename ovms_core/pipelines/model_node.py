"""Running a ``DL model`` node: one inference on a served model version, outputs kept.

The node's outputs are written into tensors allocated for this run, so the infer request
goes back to its pool at once while the outputs travel on to other nodes without a copy.
"""

from __future__ import annotations

import numpy as np
import openvino as ov

from ovms_core.base.datatypes import BYTES, from_numpy
from ovms_core.base.errors import OvmsError
from ovms_core.base.status_codes import StatusCode
from ovms_core.base.tensors import format_shape, shareable
from ovms_core.config.shapes import Dim
from ovms_core.execution.tensor_info import TensorInfo
from ovms_core.models.manager import ModelManager
from ovms_core.pipelines.binding import compatible

__all__ = ["check_tensor", "run_model_node"]


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
    if not compatible(info.dims, tuple(Dim(d, d) for d in array.shape)):
        raise OvmsError(
            shape_code,
            f"{where}; Expected: {info.shape_text()}; Actual: {format_shape(array.shape)}",
        )


async def run_model_node(
    manager: ModelManager,
    node: str,
    model_name: str,
    version: int | None,
    inputs: dict[str, np.ndarray],
) -> dict[str, np.ndarray]:
    """Infer ``inputs`` (by model input name) on the model; outputs by model output name."""
    model = manager.get(model_name)
    if model is None or model.removed:
        raise OvmsError(StatusCode.MODEL_NAME_MISSING, f"node: {node}; model: {model_name}")
    _, servable = await model.resolve(version)
    servable.enter()
    try:
        loaded = servable.model
        arrays = []
        for info in loaded.inputs.values():
            array = inputs.get(info.name)
            if array is None:
                raise OvmsError(
                    StatusCode.INVALID_MISSING_INPUT, f"node: {node}; Required input: {info.name}"
                )
            check_tensor(f"node: {node}; input: {info.name}", info, array)
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
