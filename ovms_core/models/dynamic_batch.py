"""Load-time side of dynamic batching: a dynamic batch dimension inside, the model's own outside.

The compiled model takes any batch size so merged requests fit; clients keep seeing (and are
validated against) the shapes the model had before, as if no merging happened.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import replace

import openvino as ov

from ovms_core.base.errors import OvmsError
from ovms_core.base.status_codes import StatusCode
from ovms_core.config.shapes import Dim
from ovms_core.execution.tensor_info import TensorInfo

__all__ = ["check_batchable", "client_infos", "widen_batch"]


def widen_batch(
    model: ov.Model, batch_indices: list[int | None]
) -> tuple[list[ov.PartialShape], list[ov.PartialShape]]:
    """Make the batch dimension of every input dynamic; returns the shapes from before."""
    inputs = [port.get_partial_shape() for port in model.inputs]
    outputs = [port.get_partial_shape() for port in model.outputs]
    new_shapes: dict[ov.Output, ov.PartialShape] = {}
    for port, shape, index in zip(model.inputs, inputs, batch_indices, strict=True):
        if index is None or shape.rank.is_dynamic:
            raise OvmsError(
                StatusCode.RESHAPE_ERROR,
                f"dynamic_batching needs a batch dimension in input {port.get_any_name()}",
            )
        dims = [str(d) if d.is_static else "?" for d in shape]
        dims[index] = "?"
        new_shapes[port] = ov.PartialShape("[" + ",".join(dims) + "]")
    try:
        model.reshape(new_shapes)
    except Exception as error:
        raise OvmsError(StatusCode.RESHAPE_ERROR, f"dynamic_batching: {error}") from None
    return inputs, outputs


def client_infos(
    infos: dict[str, TensorInfo],
    shapes: list[ov.PartialShape],
    to_dim: Callable[[ov.Dimension], Dim],
) -> dict[str, TensorInfo]:
    """``infos`` with the dimensions clients see (``shapes``, by port index)."""
    return {
        name: replace(info, dims=tuple(to_dim(d) for d in shapes[info.index]))
        for name, info in infos.items()
    }


def check_batchable(compiled: Iterable[TensorInfo]) -> None:
    """Every tensor of the compiled model must be numeric and carry the dynamic batch."""
    for info in compiled:
        index = info.batch_index
        if info.datatype.kserve == "BYTES" or index is None or info.dims[index].lo != -1:
            raise OvmsError(
                StatusCode.RESHAPE_ERROR,
                f"dynamic_batching needs a numeric tensor with a batch dimension: {info.name}",
            )
