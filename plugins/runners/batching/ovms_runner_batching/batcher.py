"""Dynamic batching: concurrent requests of one servable merged into one inference.

Requests whose inputs agree in everything but the batch dimension form a group. A group is sent
when it holds ``max_batch_size`` samples or its first request has waited ``max_queue_delay_us``
(at once with a delay of 0); sending it waits for a free infer request, and requests arriving
meanwhile join it. With a delay of 0, a request that finds an infer request free and no group
to join runs at once in its own task, as without batching. So at low load nothing waits, and
under load requests merge while the infer requests are busy anyway. Inputs are concatenated
(one copy; a group of one is not copied); each request gets views of its rows of the outputs,
and the infer request is released when the last of them is. When a merged inference fails, its
requests are run one by one, so an error reaches only the request that causes it.
"""

from __future__ import annotations

import asyncio
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass
from time import perf_counter

import numpy as np

from ovms_core import InferRequestPool, InferSlot, OvmsError, StatusCode, TensorInfo, input_tensor

__all__ = ["BatchedOutputs", "Batcher"]

Arrays = list[tuple[int, np.ndarray]]


@dataclass(frozen=True, slots=True)
class BatchedOutputs:
    """One request's outputs (views) from a merged inference and how to give them back."""

    outputs: list[np.ndarray]
    release: Callable[[], None]
    waited: float
    """Seconds from arrival to the start of the inference."""
    ran: float
    """Seconds the (merged) inference took."""
    executed: bool = False
    """Whether this request counts the merged inference (the first request of it does)."""
    batch_size: int = 0
    """Samples in the merged inference."""
    size: int = 1
    """This request's samples."""


class _Entry:
    __slots__ = ("arrays", "future", "outputs", "queued", "size")

    def __init__(
        self, arrays: Arrays, outputs: list[TensorInfo], size: int, loop: asyncio.AbstractEventLoop
    ):
        self.arrays = sorted(arrays, key=lambda pair: pair[0])
        self.outputs = outputs
        self.size = size
        self.queued = perf_counter()
        self.future: asyncio.Future[BatchedOutputs] = loop.create_future()


class _Group:
    __slots__ = ("entries", "samples", "scheduled", "timer")

    def __init__(self) -> None:
        self.entries: deque[_Entry] = deque()
        self.samples = 0
        self.scheduled = False
        self.timer: asyncio.TimerHandle | None = None


class _Holders:
    """Counts the requests still holding views of one inference's outputs."""

    __slots__ = ("count", "pool", "slot")

    def __init__(self, pool: InferRequestPool, slot: InferSlot, count: int) -> None:
        self.pool, self.slot, self.count = pool, slot, count

    def release(self) -> None:
        self.count -= 1
        if self.count == 0:
            self.pool.release(self.slot)


class Batcher:
    """Merges the requests of one servable; ``batch_axes`` maps input index to batch axis."""

    def __init__(
        self,
        pool: InferRequestPool,
        max_batch_size: int,
        max_queue_delay_us: int,
        batch_axes: dict[int, int],
        loop: asyncio.AbstractEventLoop,
    ) -> None:
        self._pool = pool
        self._max = max_batch_size
        self._delay = max_queue_delay_us / 1e6
        self._axes = batch_axes
        self._loop = loop
        self._groups: dict[tuple[object, ...], _Group] = {}
        self._tasks: set[asyncio.Task[None]] = set()

    async def infer(self, arrays: Arrays, outputs: list[TensorInfo]) -> BatchedOutputs:
        """Run ``arrays`` (validated inputs) as part of a merged inference."""
        axes = self._axes
        key = tuple(
            (index, array.dtype.str, array.shape[: axes[index]], array.shape[axes[index] + 1 :])
            for index, array in sorted(arrays, key=lambda pair: pair[0])
        )
        index, first = arrays[0]
        entry = _Entry(arrays, outputs, first.shape[axes[index]], self._loop)
        group = self._groups.get(key)
        pool = self._pool
        if group is None and self._delay <= 0 and pool.busy < pool.size and not pool.queued:
            # Nothing to wait for and nobody to merge with: run in this task, no dispatcher.
            await self._run(await pool.acquire(), [entry])
            return entry.future.result()
        if group is None:
            group = self._groups[key] = _Group()
        group.entries.append(entry)
        group.samples += entry.size
        if not group.scheduled:
            group.scheduled = True
            if self._delay <= 0 or group.samples >= self._max:
                self._start(key, group)
            else:
                group.timer = self._loop.call_later(self._delay, self._start, key, group)
        elif group.timer is not None and group.samples >= self._max:
            group.timer.cancel()
            self._start(key, group)
        return await entry.future

    def _start(self, key: tuple[object, ...], group: _Group) -> None:
        group.timer = None
        self._spawn(self._dispatch(key, group))

    def _spawn(self, coroutine: object) -> None:
        task: asyncio.Task[None] = self._loop.create_task(coroutine)  # type: ignore[arg-type]
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)

    async def _dispatch(self, key: tuple[object, ...], group: _Group) -> None:
        slot = await self._pool.acquire()
        taken: list[_Entry] = []
        samples = 0
        entries = group.entries
        while entries:
            entry = entries[0]
            if entry.future.cancelled():
                entries.popleft()
                group.samples -= entry.size
                continue
            if taken and samples + entry.size > self._max:
                break
            entries.popleft()
            taken.append(entry)
            samples += entry.size
        group.samples -= samples
        if entries:
            self._start(key, group)
        else:
            group.scheduled = False
            if self._groups.get(key) is group:
                del self._groups[key]
        if not taken:
            self._pool.release(slot)
            return
        await self._run(slot, taken)

    async def _run(self, slot: InferSlot, taken: list[_Entry]) -> None:
        started = perf_counter()
        request = slot.request
        try:
            if len(taken) == 1:
                arrays = taken[0].arrays
            else:
                arrays = [
                    (index, np.concatenate([e.arrays[n][1] for e in taken], axis=self._axes[index]))
                    for n, (index, _) in enumerate(taken[0].arrays)
                ]
            tensors = []
            for index, array in arrays:
                tensors.append(input_tensor(request, index, array))
                request.set_input_tensor(index, tensors[-1])
            await self._pool.run(slot, tensors)
        except (OvmsError, RuntimeError, ValueError) as error:
            self._pool.release(slot)
            if len(taken) > 1:
                for entry in taken:
                    self._spawn(self._alone(entry))
                return
            failure = (
                error
                if isinstance(error, OvmsError)
                else OvmsError(StatusCode.OV_INTERNAL_INFERENCE_ERROR, str(error))
            )
            if not taken[0].future.done():
                taken[0].future.set_exception(failure)
            return
        except BaseException:
            self._pool.release(slot)
            for entry in taken:
                entry.future.cancel()
            raise
        ran = perf_counter() - started
        holders = _Holders(self._pool, slot, len(taken))
        datas: dict[int, np.ndarray] = {}
        offset = 0
        samples = sum(entry.size for entry in taken)
        for entry in taken:
            views = []
            for info in entry.outputs:
                data = datas.get(info.index)
                if data is None:
                    data = datas[info.index] = request.get_output_tensor(info.index).data
                axis = info.batch_index or 0
                rows = (slice(None),) * axis + (slice(offset, offset + entry.size),)
                views.append(data[rows])
            offset += entry.size
            if entry.future.cancelled():
                holders.release()
            else:
                entry.future.set_result(
                    BatchedOutputs(
                        views,
                        holders.release,
                        started - entry.queued,
                        ran,
                        entry is taken[0],
                        samples,
                        entry.size,
                    )
                )

    async def _alone(self, entry: _Entry) -> None:
        await self._run(await self._pool.acquire(), [entry])
