"""A compiled model version with its infer-request pool and its in-flight count."""

from __future__ import annotations

import asyncio

from ovms_core.execution.batching import Batcher
from ovms_core.execution.pool import InferRequestPool
from ovms_core.models.loader import LoadedModel
from ovms_core.stateful.sequences import SequenceManager

__all__ = ["Servable"]


class Servable:
    """What one request runs on; stays alive until the last request using it finishes."""

    __slots__ = ("_drained", "batcher", "inflight", "model", "pool", "sequences")

    def __init__(self, model: LoadedModel, loop: asyncio.AbstractEventLoop) -> None:
        self.model = model
        self.pool = InferRequestPool(model.compiled, model.nireq, loop, model.requests)
        self.batcher = (
            Batcher(
                self.pool,
                model.batching,
                {i.index: i.batch_index or 0 for i in model.inputs.values()},
                loop,
            )
            if model.batching is not None
            else None
        )
        """Merges concurrent requests (``dynamic_batching``); None runs each alone."""
        self.inflight = 0
        self.sequences = SequenceManager(model.stateful) if model.stateful is not None else None
        """The sequences of a stateful model; a reload starts with none."""
        self._drained: asyncio.Event | None = None

    def enter(self) -> None:
        """A request starts using this servable."""
        self.inflight += 1

    def leave(self) -> None:
        """A request is done with this servable."""
        self.inflight -= 1
        if self.inflight == 0 and self._drained is not None:
            self._drained.set()

    def close(self) -> None:
        """Called once no request will use this servable again."""
        self.pool.close()

    async def drained(self) -> None:
        """Wait until no request uses this servable."""
        if self.inflight == 0:
            return
        if self._drained is None:
            self._drained = asyncio.Event()
        await self._drained.wait()
