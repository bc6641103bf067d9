"""Warm-up inferences on generated data, run on a freshly compiled version before it serves."""

from __future__ import annotations

import logging
from time import perf_counter

import numpy as np
import openvino as ov

from ovms_core.execution.tensor_info import TensorInfo
from ovms_core.models.loader import LoadedModel

__all__ = ["INLINE_BELOW_SECONDS", "warm_up", "warmup_inputs"]

log = logging.getLogger("ovms.modelmanager")
INLINE_BELOW_SECONDS = 0.0002
"""A static-shape model whose warm-up inferences take less runs them on the event loop's
thread: handing an inference to OpenVINO's threads and its completion back to the loop costs
more (0.2-0.6 ms a request, docs/performance.md) than such a model takes to infer."""
_TIMED_INFERENCES = 10
_TIMING_BUDGET_SECONDS = 0.1


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
    client requests do not pay for lazy initialisation. A few timed inferences follow: a
    static-shape model faster than ``INLINE_BELOW_SECONDS`` gets ``model.inline``. A failure is
    logged and does not fail the load: generated zeros are not meaningful input for every model.
    """
    if count <= 0:
        return
    try:
        requests = [model.compiled.create_infer_request() for _ in range(model.nireq)]
        inputs = warmup_inputs(model)
        for index in range(count):
            requests[index % len(requests)].infer(inputs)
        inline = _static(model) and _fast(requests[0], inputs)
    except Exception as error:  # OpenVINO raises RuntimeError subclasses
        log.warning("Warm-up of %s failed: %s", what, str(error).strip().splitlines()[0])
        return
    model.requests = requests
    model.inline = inline
    log.debug("Warmed up %s with %d inference(s)", what, count)
    log.debug("Inferences of %s run on the event loop's thread: %s", what, inline)


def _static(model: LoadedModel) -> bool:
    return all(d.lo == d.hi >= 0 for info in model.inputs.values() for d in info.dims)


def _fast(request: ov.InferRequest, inputs: dict[int, ov.Tensor]) -> bool:
    """Whether one of a few timed inferences takes less than ``INLINE_BELOW_SECONDS``.

    Any one will do: on a busy host, or while this loader thread waits for the GIL, an
    inference can take far longer than the model needs. The timing stops after
    ``_TIMING_BUDGET_SECONDS``, so a slow model pays for one or two more inferences.
    """
    begun = perf_counter()
    for _ in range(_TIMED_INFERENCES):
        started = perf_counter()
        request.infer(inputs)
        ended = perf_counter()
        if ended - started < INLINE_BELOW_SECONDS:
            return True
        if ended - begun > _TIMING_BUDGET_SECONDS:
            return False
    return False
