"""A pool of OpenVINO infer requests whose completions resolve asyncio futures.

Inference runs in OpenVINO's own threads (``start_async``) without the GIL; the completion
callback only schedules the future's result on the event loop, which never blocks.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections import deque
from collections.abc import Callable

import openvino as ov

from ovms_core.base.errors import OvmsError
from ovms_core.base.status_codes import StatusCode

__all__ = ["InferRequestPool", "InferSlot"]


class InferSlot:
    """One infer request of a pool and the state of its current run.

    ``running`` is true from ``start_async`` until the completion reached the loop; a slot
    released meanwhile (its caller was cancelled) goes back to the pool then.
    """

    __slots__ = ("_completions", "inputs", "on_idle", "request", "running", "waiter")

    def __init__(self, request: ov.InferRequest, completions: _Completions) -> None:
        self.request = request
        self._completions = completions
        self.running = False
        self.waiter: asyncio.Future[None] | None = None
        self.on_idle: Callable[[], None] | None = None
        self.inputs: object = None
        request.set_callback(self._completed, None)

    def _completed(self, _userdata: object) -> None:
        # Runs in an OpenVINO thread.
        self._completions.post(self)

    def finished(self) -> None:
        """On the loop: the inference ended; wake its caller and run a deferred release."""
        self.running = False
        waiter = self.waiter
        if waiter is not None and not waiter.done():
            waiter.set_result(None)
        on_idle = self.on_idle
        if on_idle is not None:
            self.on_idle = None
            on_idle()


class _Completions:
    """Hands completions from OpenVINO's threads to the loop, one wake-up per burst.

    An OpenVINO thread appends its slot and schedules ``_drain`` only when no drain is pending,
    so completions that arrive while the loop is busy cost no extra self-pipe write or loop
    iteration.
    """

    __slots__ = ("_done", "_loop", "_pending")

    def __init__(self, loop: asyncio.AbstractEventLoop) -> None:
        self._loop = loop
        self._done: deque[InferSlot] = deque()
        self._pending = False

    def post(self, slot: InferSlot) -> None:
        """From any thread (holding the GIL): ``slot`` finished."""
        self._done.append(slot)
        if not self._pending:
            self._pending = True
            # A loop closed at shutdown raises RuntimeError: nobody waits for this any more.
            with contextlib.suppress(RuntimeError):
                self._loop.call_soon_threadsafe(self._drain)

    def _drain(self) -> None:
        self._pending = False  # completions posted from now on schedule another drain
        done = self._done
        while done:
            done.popleft().finished()


def _ignore(_userdata: object) -> None:
    """A completion callback that holds no references."""


PARK_SECONDS = 1.0
_parked: list[list[InferSlot]] = []


def _park(loop: asyncio.AbstractEventLoop, slots: list[InferSlot]) -> None:
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
        completions = _Completions(loop)
        self._idle: deque[InferSlot] = deque(InferSlot(request, completions) for request in made)
        self._waiters: deque[asyncio.Future[InferSlot]] = deque()

    @property
    def busy(self) -> int:
        """Infer requests in use."""
        return self.size - len(self._idle)

    @property
    def queued(self) -> int:
        """Callers waiting for a free infer request."""
        return len(self._waiters)

    async def acquire(self) -> InferSlot:
        """A free slot; waits in arrival order when all are busy."""
        if self._idle and not self._waiters:
            return self._idle.popleft()
        waiter: asyncio.Future[InferSlot] = self._loop.create_future()
        self._waiters.append(waiter)
        try:
            return await waiter
        except asyncio.CancelledError:
            if waiter.done() and not waiter.cancelled():
                self.release(waiter.result())
            else:
                self._waiters.remove(waiter)
            raise

    def release(self, slot: InferSlot) -> None:
        """Give a slot back, handing it straight to the oldest waiter if any.

        A slot whose inference is still running (its caller was cancelled) comes back when the
        inference completes.
        """
        if slot.running:
            slot.on_idle = lambda: self.release(slot)
            return
        slot.waiter = None
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

    async def run(self, slot: InferSlot, inputs: object = None) -> None:
        """Start inference on ``slot`` (inputs already set) and wait for it to finish.

        ``inputs`` (tensors over request memory) stay referenced until the inference ends and
        the slot is released, even when the caller is cancelled meanwhile.
        """
        slot.inputs = inputs
        waiter: asyncio.Future[None] = self._loop.create_future()
        slot.waiter = waiter
        slot.running = True
        try:
            slot.request.start_async()
        except Exception as error:
            slot.running = False
            slot.waiter = None
            raise OvmsError(StatusCode.OV_INTERNAL_INFERENCE_ERROR, str(error)) from None
        # A cancelled caller cancels only ``waiter``; ``running`` stays set until completion.
        await waiter
