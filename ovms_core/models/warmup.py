"""Warm-up inferences on generated data, run on a freshly compiled version before it serves."""

from __future__ import annotations

import logging

import numpy as np
import openvino as ov

from ovms_core.execution.tensor_info import TensorInfo
from ovms_core.models.loader import LoadedModel

__all__ = ["warm_up", "warmup_inputs"]

log = logging.getLogger("ovms.modelmanager")


def warmup_inputs(model: LoadedModel) -> dict[int, ov.Tensor]:
    """Zeros (empty strings for BYTES) by input index; dynamic dimensions take their minimum."""
    return {info.index: _zeros(info) for info in model.inputs.values()}


def _zeros(info: TensorInfo) -> ov.Tensor:
    shape = [d.lo if d.lo == d.hi >= 0 else max(d.lo, 1) for d in info.dims]
    if info.datatype.kserve == "BYTES":
        return ov.Tensor(np.full(shape, "", dtype=np.str_))
    return ov.Tensor(np.zeros(shape, dtype=info.datatype.numpy))


def warm_up(model: LoadedModel, count: int, what: str) -> None:
    """Run ``count`` inferences on generated data (blocking; called in a loader thread).

    They go round the version's own infer requests, created here for its pool, so the first
    client requests do not pay for lazy initialisation. A failure is logged and does not fail
    the load: generated zeros are not meaningful input for every model.
    """
    if count <= 0:
        return
    try:
        requests = [model.compiled.create_infer_request() for _ in range(model.nireq)]
        inputs = warmup_inputs(model)
        for index in range(count):
            requests[index % len(requests)].infer(inputs)
    except Exception as error:  # OpenVINO raises RuntimeError subclasses
        log.warning("Warm-up of %s failed: %s", what, str(error).strip().splitlines()[0])
        return
    model.requests = requests
    log.debug("Warmed up %s with %d inference(s)", what, count)
