"""How one request runs on a model version: the shared steps and the plain (one request) way.

A version runs alone on a pooled infer request (here) unless a run mode plugin (``modes``) makes
its runner: merged with concurrent requests (``ovms-runner-batching``) or inside its sequence
(``ovms-runner-stateful``). ``RunnerCache`` makes one runner per compiled version.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from time import perf_counter
from typing import Any, Protocol

import numpy as np
import openvino as ov

from ovms_core.base.errors import OvmsError
from ovms_core.base.status_codes import StatusCode
from ovms_core.execution.input_tensor import input_tensor
from ovms_core.execution.tensor_info import TensorInfo
from ovms_core.metrics import InferenceObserver
from ovms_core.models.compiled import CompiledVersion
from ovms_core.models.loader import LoadedModel
from ovms_core.servables.conversion import convert_inputs
from ovms_core.servables.statistics import VersionStatistics
from ovms_core.servables.types import InferRequest, InferResult, OutputTensor
from ovms_core.servables.validation import prepare_inputs, select_outputs

__all__ = ["Call", "Prepared", "Runner", "SingleRunner", "StateHooks", "prepare"]

Arrays = list[tuple[int, np.ndarray]]


@dataclass(slots=True)
class Call:
    """One request's bookkeeping: its version, measures and the hold on its compiled version."""

    number: int
    timing: InferenceObserver | None
    stats: VersionStatistics
    begun: float
    leave: Callable[[], None]
    """Ends the request's hold on the compiled version; called when the result is released."""


@dataclass(slots=True)
class Prepared:
    """A request's validated inputs (by model input index) and the outputs it asked for."""

    arrays: Arrays
    outputs: list[TensorInfo]


class Runner(Protocol):
    """Runs requests on one compiled version."""

    async def infer(self, request: InferRequest, call: Call) -> InferResult:
        """Run ``request``; on failure raise without calling ``call.leave``."""
        ...


class StateHooks(Protocol):
    """Steps a sequence takes around the inference (``SequenceStep``)."""

    def restore(self, infer_request: ov.InferRequest) -> None:
        """Put the sequence's state into the infer request."""

    def complete(self, infer_request: ov.InferRequest) -> None:
        """Save the state after a successful inference."""


async def prepare(request: InferRequest, loaded: LoadedModel, optional: int = 0) -> Prepared:
    """Convert BYTES inputs (images, strings), then validate; ``optional``: special inputs."""
    request = await convert_inputs(request, loaded.inputs)
    return Prepared(prepare_inputs(request, loaded, optional), select_outputs(request, loaded))


class SingleRunner:
    """Each request alone on a free infer request of the version's pool."""

    def __init__(self, compiled: CompiledVersion) -> None:
        # Not the compiled version itself: runners are cached weakly by it (RunnerCache).
        self.model = compiled.model
        self.pool = compiled.pool

    async def infer(self, request: InferRequest, call: Call) -> InferResult:
        """Validate and run ``request`` on its own."""
        prepared = await prepare(request, self.model)
        return await self.run(request, call, prepared)

    async def run(
        self,
        request: InferRequest,
        call: Call,
        prepared: Prepared,
        state: StateHooks | None = None,
        parameters: dict[str, Any] | None = None,
    ) -> InferResult:
        """Run validated inputs; ``state`` restores and saves a sequence's state around it."""
        pool = self.pool
        queued = perf_counter()
        slot = await pool.acquire()
        waited = perf_counter() - queued
        try:
            infer_request = slot.request
            tensors = []
            try:
                for index, array in prepared.arrays:
                    tensors.append(input_tensor(infer_request, index, array))
                    infer_request.set_input_tensor(index, tensors[-1])
                if state is not None:
                    state.restore(infer_request)
            except RuntimeError as error:
                raise OvmsError(StatusCode.OV_INTERNAL_INFERENCE_ERROR, str(error)) from None
            started = perf_counter()
            await pool.run(slot, tensors)
            if state is not None:
                state.complete(infer_request)
            ended = perf_counter()
            if call.timing is not None:
                call.timing.observe(waited, ended - started)
            results = [
                OutputTensor(info.name, info.datatype.kserve, _output_data(infer_request, info))
                for info in prepared.outputs
            ]
        except BaseException:
            pool.release(slot)
            raise
        phases = (waited, started - call.begun - waited, ended - started)
        call.stats.succeeded(1, (*phases, perf_counter() - ended), True, 1)

        def release() -> None:
            pool.release(slot)
            call.leave()

        return InferResult(
            request.model_name, call.number, request.id, results, release, parameters
        )


def _output_data(infer_request: ov.InferRequest, info: TensorInfo) -> np.ndarray:
    tensor = infer_request.get_output_tensor(info.index)
    if info.datatype.kserve == "BYTES":
        # The bytes themselves, not decoded text, in the tensor's shape.
        return np.array(tensor.bytes_data, dtype=object).reshape(tuple(tensor.shape))
    data: np.ndarray = tensor.data
    return data
