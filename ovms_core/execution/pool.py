"""A pool of OpenVINO infer requests whose completions resolve asyncio futures.

Inference runs in OpenVINO's own threads (``start_async``) without the GIL; the completion
callback only schedules the future's result on the event loop, which never blocks.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections import deque

import openvino as ov

from ovms_core.errors import OvmsError
from ovms_core.status_codes import StatusCode

__all__ = ["InferRequestPool"]


class _Slot:
    """One infer request and the future of its current run."""

    __slots__ = ("future", "inputs", "loop", "request")

    def __init__(self, request: ov.InferRequest, loop: asyncio.AbstractEventLoop) -> None:
        self.request = request
        self.loop = loop
        self.future: asyncio.Future[None] | None = None
        self.inputs: object = None
        request.set_callback(self._completed, None)

    def _completed(self, _userdata: object) -> None:
        # Runs in an OpenVINO thread.
        future = self.future
        if future is not None:
            # A loop closed at shutdown raises RuntimeError: nobody waits for this any more.
            with contextlib.suppress(RuntimeError):
                self.loop.call_soon_threadsafe(_resolve, future)


def _ignore(_userdata: object) -> None:
    """A completion callback that holds no references."""


PARK_SECONDS = 1.0
_parked: list[list[_Slot]] = []


def _park(loop: asyncio.AbstractEventLoop, slots: list[_Slot]) -> None:
    """Keep closed slots until ``PARK_SECONDS`` pass or the next pool closes, then drop them.

    Either way they are dropped on the loop's thread, and at most one pool's waits at a time.
    """
    while _parked:
        _parked.pop().clear()
    if not slots:
        return
    _parked.append(slots)
    with contextlib.suppress(RuntimeError):  # a closing loop runs nothing afterwards anyway
        loop.call_later(PARK_SECONDS, slots.clear)


def _resolve(future: asyncio.Future[None]) -> None:
    if not future.done():
        future.set_result(None)


class InferRequestPool:
    """``size`` infer requests of one compiled model; callers wait for a free one."""

    def __init__(
        self,
        compiled: ov.CompiledModel,
        size: int,
        loop: asyncio.AbstractEventLoop,
        requests: list[ov.InferRequest] | None = None,
    ):
        self.size = size
        self._loop = loop
        made = list(requests or ())[:size]
        made += [compiled.create_infer_request() for _ in range(size - len(made))]
        self._idle: deque[_Slot] = deque(_Slot(request, loop) for request in made)
        self._waiters: deque[asyncio.Future[_Slot]] = deque()

    @property
    def busy(self) -> int:
        """Infer requests in use."""
        return self.size - len(self._idle)

    @property
    def queued(self) -> int:
        """Callers waiting for a free infer request."""
        return len(self._waiters)

    async def acquire(self) -> _Slot:
        """A free slot; waits in arrival order when all are busy."""
        if self._idle and not self._waiters:
            return self._idle.popleft()
        waiter: asyncio.Future[_Slot] = self._loop.create_future()
        self._waiters.append(waiter)
        try:
            return await waiter
        except asyncio.CancelledError:
            if waiter.done() and not waiter.cancelled():
                self.release(waiter.result())
            else:
                self._waiters.remove(waiter)
            raise

    def release(self, slot: _Slot) -> None:
        """Give a slot back, handing it straight to the oldest waiter if any.

        A slot whose inference is still running (its caller was cancelled) comes back when the
        inference completes.
        """
        future = slot.future
        if future is not None and not future.done():
            future.add_done_callback(lambda _f: self.release(slot))
            return
        slot.future = None
        slot.inputs = None
        while self._waiters:
            waiter = self._waiters.popleft()
            if not waiter.done():
                waiter.set_result(slot)
                return
        self._idle.append(slot)

    def close(self) -> None:
        """Release every idle request's native resources once its version is unloaded.

        An infer request freed right after its completion callback, without a ``wait``, leaks
        native memory (about 150 KiB a version for a tiny model); ``wait`` returns at once here.
        The callback, kept alive from C++ out of the garbage collector's sight, is replaced by
        one that holds nothing, so the request no longer keeps its slot (and the compiled
        model) alive. OpenVINO may drop its last copy of the old callback a moment later in
        its own thread; the requests are therefore parked (``_park``) and freed on the loop's
        thread afterwards: a request freed from its own thread aborts the process.
        """
        for slot in self._idle:
            slot.request.wait()
            slot.request.set_callback(_ignore, None)
        _park(self._loop, list(self._idle))
        self._idle.clear()

    async def run(self, slot: _Slot, inputs: object = None) -> None:
        """Start inference on ``slot`` (inputs already set) and wait for it to finish.

        ``inputs`` (tensors over request memory) stay referenced until the inference ends and
        the slot is released, even when the caller is cancelled meanwhile.
        """
        slot.inputs = inputs
        future: asyncio.Future[None] = self._loop.create_future()
        slot.future = future
        try:
            slot.request.start_async()
        except Exception as error:
            slot.future = None
            raise OvmsError(StatusCode.OV_INTERNAL_INFERENCE_ERROR, str(error)) from None
        await asyncio.shield(future)
