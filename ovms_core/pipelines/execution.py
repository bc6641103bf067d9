"""Running one request through a pipeline plan (SPEC 9.4).

Every node runs as an asyncio task as soon as its inputs are ready, so independent nodes run
concurrently. A node runs once per *session*: the tuple of shard indices of the
demultiplexers it sits under. Shards are views of the demultiplexer's outputs; gathering
stacks them into one new tensor. Driver nodes run in worker threads, model nodes on their
infer-request pools; the event loop never waits on either.
"""

from __future__ import annotations

import asyncio
from collections.abc import Mapping
from concurrent.futures import Executor
from dataclasses import dataclass

import numpy as np

from ovms_core.base.errors import OvmsError
from ovms_core.base.status_codes import StatusCode
from ovms_core.base.tensors import format_shape
from ovms_core.config.pipeline_config import ENTRY_NODE, MAX_DEMULTIPLY_COUNT
from ovms_core.models.manager import ModelManager
from ovms_core.pipelines.binding import Plan, PlanNode
from ovms_core.pipelines.model_node import check_tensor, run_model_node
from ovms_core.pipelines.nodeset import NodeSet
from ovms_core.pipelines.structure import Stack

__all__ = ["Execution", "Runtime"]

Session = tuple[int, ...]
Outputs = dict[str, np.ndarray]


@dataclass(frozen=True)
class Runtime:
    """What nodes run on: the served models and the worker threads of driver nodes."""

    models: ModelManager
    workers: Executor


class Execution:
    """One request's run through ``plan`` with the driver nodes of ``nodes``; call ``run`` once."""

    def __init__(self, plan: Plan, nodes: NodeSet, runtime: Runtime, inputs: Outputs) -> None:
        self._plan = plan
        self._nodes = nodes
        self._runtime = runtime
        self._inputs = inputs
        self._splits = plan.demultiplexers
        self._stacks: dict[str, Stack] = {ENTRY_NODE: plan.entry_stack}
        self._levels: dict[Stack, list[PlanNode]] = {}
        for node in plan.nodes:
            self._stacks[node.name] = node.output_stack
            self._levels.setdefault(node.stack, []).append(node)
        self._done: dict[tuple[str, Session], asyncio.Future[Outputs]] = {}
        self._counts: dict[tuple[str, Session], int] = {}
        self._tasks: list[asyncio.Task[None]] = []

    async def run(self) -> Outputs:
        """The pipeline outputs by name; raises the first node failure as ``OvmsError``.

        Returns (or raises) only once every node task has ended.
        """
        try:
            self._open((), ())
            self._finished(ENTRY_NODE, (), self._inputs, sorted(self._inputs))
            outputs = {
                name: await self._collect(source, item, ())
                for name, (source, item) in self._plan.output_sources.items()
            }
        except BaseException:
            await self._settle()
            raise
        await self._settle()
        for future in self._done.values():
            error = None if future.cancelled() else future.exception()
            if error is not None:
                raise error
        return outputs

    async def _settle(self) -> None:
        """Wait for every node task (tasks may start more tasks while we wait)."""
        waited = 0
        try:
            while waited < len(self._tasks):
                batch = self._tasks[waited:]
                waited = len(self._tasks)
                await asyncio.gather(*batch, return_exceptions=True)
        finally:
            for task in self._tasks:
                task.cancel()
            for future in self._done.values():
                if not future.done():
                    future.cancel()
                elif not future.cancelled():
                    future.exception()  # every failure counts as seen

    def _future(self, node: str, session: Session) -> asyncio.Future[Outputs]:
        key = (node, session)
        future = self._done.get(key)
        if future is None:
            future = asyncio.get_running_loop().create_future()
            self._done[key] = future
        return future

    def _finished(self, node: str, session: Session, outputs: Outputs, used: list[str]) -> None:
        """Record a node's outputs; a demultiplexer opens one session per shard."""
        future = self._future(node, session)
        if node not in self._splits:
            future.set_result(outputs)
            return
        try:
            count = self._shard_count(node, outputs, used)
        except OvmsError as error:
            future.set_exception(error)
            return
        self._counts[(node, session)] = count
        future.set_result(outputs)
        level = self._stacks[node]
        for index in range(count):
            self._open((*session, index), level)

    def _open(self, session: Session, level: Stack) -> None:
        for node in self._levels.get(level, ()):
            self._tasks.append(asyncio.create_task(self._run_node(node, session)))

    def _shard_count(self, node: str, outputs: Outputs, used: list[str]) -> int:
        expected = self._plan.counts[node]
        count: int | None = None
        for name in used:
            array = outputs[name]
            if array.ndim < 2:
                raise OvmsError(
                    StatusCode.PIPELINE_WRONG_NUMBER_OF_DIMENSIONS_TO_DEMULTIPLY,
                    f"node: {node}; tensor: {name}; shape: {format_shape(array.shape)}",
                )
            size = array.shape[0]
            if (expected > 0 and size != expected) or (count is not None and size != count):
                raise OvmsError(
                    StatusCode.PIPELINE_WRONG_DIMENSION_SIZE_TO_DEMULTIPLY,
                    f"node: {node}; tensor: {name}; first dimension: {size}; "
                    f"demultiply count: {expected if expected > 0 else count}",
                )
            count = size
        if not count:
            raise OvmsError(StatusCode.PIPELINE_DEMULTIPLEXER_NO_RESULTS, f"node: {node}")
        if count > MAX_DEMULTIPLY_COUNT:
            raise OvmsError(
                StatusCode.PIPELINE_TOO_LARGE_DIMENSION_SIZE_TO_DEMULTIPLY,
                f"node: {node}; count: {count}; maximum: {MAX_DEMULTIPLY_COUNT}",
            )
        return count

    async def _value(self, node: str, item: str, session: Session) -> np.ndarray:
        """Output ``item`` of ``node`` in ``session``: a shard view for demultiplexers."""
        if node in self._splits:
            outputs = await self._future(node, session[:-1])
            shard: np.ndarray = outputs[item][session[-1]]
            return shard
        return (await self._future(node, session))[item]

    async def _collect(self, node: str, item: str, session: Session) -> np.ndarray:
        """Output ``item`` of ``node`` seen from ``session``, deeper levels gathered."""
        stack = self._stacks[node]
        if len(session) == len(stack):
            return await self._value(node, item, session)
        demultiplexer = stack[len(session)]
        await self._future(demultiplexer, session)
        count = self._counts[(demultiplexer, session)]
        shards = [await self._collect(node, item, (*session, i)) for i in range(count)]
        first = shards[0].shape
        for shard in shards[1:]:
            if shard.shape != first:
                raise OvmsError(
                    StatusCode.PIPELINE_INCONSISTENT_SHARD_DIMENSIONS,
                    f"node: {node}; output: {item}; shapes: {format_shape(first)} and "
                    f"{format_shape(shard.shape)}",
                )
        return np.stack(shards)

    async def _run_node(self, node: PlanNode, session: Session) -> None:
        future = self._future(node.name, session)
        try:
            inputs = {
                name: await self._collect(source, item, session)
                for name, source, item in node.inputs
            }
            outputs = await self._execute(node, inputs)
            self._finished(node.name, session, outputs, list(node.used))
        except OvmsError as error:
            future.set_exception(error)
        except Exception as error:  # a node bug must fail this request only
            future.set_exception(
                OvmsError(
                    StatusCode.NODE_LIBRARY_EXECUTION_FAILED,
                    f"node: {node.name}; {type(error).__name__}: {error}",
                )
            )

    async def _execute(self, node: PlanNode, inputs: Outputs) -> Outputs:
        if node.model is not None:
            model_name, version = node.model
            return await run_model_node(
                self._runtime.models, node.name, model_name, version, inputs
            )
        assert node.node is not None
        nodes = self._nodes
        nodes.enter()
        running = self._runtime.workers.submit(node.node.execute, inputs)
        running.add_done_callback(lambda _: nodes.leave_threadsafe())
        outputs = await asyncio.wrap_future(running)
        return _checked(node, outputs)


def _checked(node: PlanNode, outputs: Mapping[str, np.ndarray]) -> Outputs:
    """The outputs of a driver node that the pipeline uses, checked against its declaration."""
    if not isinstance(outputs, Mapping):
        raise OvmsError(
            StatusCode.NODE_LIBRARY_OUTPUTS_CORRUPTED,
            f"node: {node.name}; execute returned {type(outputs).__name__}, not a dict",
        )
    checked: Outputs = {}
    for name in node.used:
        array = outputs.get(name)
        if array is None:
            raise OvmsError(
                StatusCode.NODE_LIBRARY_MISSING_OUTPUT, f"node: {node.name}; output: {name}"
            )
        if not isinstance(array, np.ndarray):
            array = np.asarray(array)
        check_tensor(
            f"node: {node.name}; output: {name}",
            node.outputs[name],
            array,
            StatusCode.NODE_LIBRARY_INVALID_PRECISION,
            StatusCode.NODE_LIBRARY_INVALID_SHAPE,
        )
        checked[name] = array
    return checked
