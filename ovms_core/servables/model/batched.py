"""Dynamic batching: concurrent requests of a version merged into one inference."""

from __future__ import annotations

import asyncio
from time import perf_counter

from ovms_core.execution.batching import Batcher
from ovms_core.models.compiled import CompiledVersion
from ovms_core.servables.model.runner import Call, prepare
from ovms_core.servables.types import InferRequest, InferResult, OutputTensor

__all__ = ["BatchedRunner"]


class BatchedRunner:
    """Requests wait up to the batching timeout to run together; outputs view the merged run."""

    def __init__(self, compiled: CompiledVersion, loop: asyncio.AbstractEventLoop) -> None:
        loaded = compiled.model
        assert loaded.batching is not None
        batch_axes = {i.index: i.batch_index or 0 for i in loaded.inputs.values()}
        self.model = loaded  # not ``compiled``: runners are cached weakly by it (RunnerCache)
        self.batcher = Batcher(compiled.pool, loaded.batching, batch_axes, loop)

    async def infer(self, request: InferRequest, call: Call) -> InferResult:
        """Validate ``request`` and run it as part of a merged inference."""
        prepared = await prepare(request, self.model)
        compute_input = perf_counter() - call.begun
        done = await self.batcher.infer(prepared.arrays, prepared.outputs)
        ended = perf_counter()
        if call.timing is not None:
            call.timing.observe(done.waited, done.ran)
        results = [
            OutputTensor(info.name, info.datatype.kserve, data)
            for info, data in zip(prepared.outputs, done.outputs, strict=True)
        ]
        phases = (done.waited, compute_input, done.ran, perf_counter() - ended)
        call.stats.succeeded(done.size, phases, done.executed, done.batch_size)

        def release() -> None:
            done.release()
            call.leave()

        return InferResult(request.model_name, call.number, request.id, results, release)
