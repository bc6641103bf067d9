"""A compiled model version with its infer-request pool and its in-flight count."""

from __future__ import annotations

import asyncio

from ovms_core.execution.pool import InferRequestPool
from ovms_core.models.loader import LoadedModel

__all__ = ["CompiledVersion"]


class CompiledVersion:
    """What requests of one version run on; stays alive until the last request finishes.

    A reload makes a new one; the servable layer keys per-version state (batcher, sequences)
    on it, so that state starts afresh with the new compiled model.
    """

    __slots__ = ("__weakref__", "_drained", "inflight", "model", "pool")

    def __init__(self, model: LoadedModel, loop: asyncio.AbstractEventLoop) -> None:
        self.model = model
        self.pool = InferRequestPool(model.compiled, model.nireq, loop, model.requests)
        self.inflight = 0
        self._drained: asyncio.Event | None = None

    def enter(self) -> None:
        """A request starts using this version."""
        self.inflight += 1

    def leave(self) -> None:
        """A request is done with this version."""
        self.inflight -= 1
        if self.inflight == 0 and self._drained is not None:
            self._drained.set()

    def close(self) -> None:
        """Called once no request will use this version again."""
        self.pool.close()

    async def drained(self) -> None:
        """Wait until no request uses this version."""
        if self.inflight == 0:
            return
        if self._drained is None:
            self._drained = asyncio.Event()
        await self._drained.wait()
