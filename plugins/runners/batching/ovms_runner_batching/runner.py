"""The ``batching`` run mode: concurrent requests of a version merged into one inference."""

from __future__ import annotations

import asyncio
from time import perf_counter

from ovms_core import (
    Call,
    CompiledVersion,
    InferRequest,
    InferResult,
    LoadedModel,
    OutputTensor,
    RunMode,
    prepare,
)
from ovms_runner_batching.batcher import Batcher

__all__ = ["BatchedRunner", "BatchingMode"]


class BatchedRunner:
    """Requests wait up to the batching timeout to run together; outputs view the merged run."""

    def __init__(self, compiled: CompiledVersion, loop: asyncio.AbstractEventLoop) -> None:
        loaded = compiled.model
        settings = loaded.batching
        assert settings is not None
        batch_axes = {i.index: i.batch_index or 0 for i in loaded.inputs.values()}
        self.model = loaded  # not ``compiled``: runners are cached weakly by it
        self.batcher = Batcher(
            compiled.pool, settings.max_batch_size, settings.max_queue_delay_us, batch_axes, loop
        )

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


class BatchingMode(RunMode):
    """Runs the versions of models configured with ``dynamic_batching``."""

    name = "batching"

    def wanted(self, loaded: LoadedModel) -> bool:
        """Whether the model has dynamic batching settings."""
        return loaded.batching is not None

    def create(self, compiled: CompiledVersion, loop: asyncio.AbstractEventLoop) -> BatchedRunner:
        """A batcher over the version's infer request pool."""
        return BatchedRunner(compiled, loop)
