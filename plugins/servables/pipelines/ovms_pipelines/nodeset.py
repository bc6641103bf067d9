"""The driver-built nodes of one pipeline build, alive until the last use ends."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Mapping

from ovms_core import PipelineNode
from ovms_pipelines.binding import NodePorts

__all__ = ["NodeSet", "close_nodes"]

log = logging.getLogger("ovms.pipelines")


class NodeSet:
    """Nodes by name, with a count of the requests and executions using them.

    ``enter`` and ``leave`` may be called from any thread; ``drained`` waits on the loop.
    """

    def __init__(
        self, nodes: Mapping[str, tuple[PipelineNode, NodePorts]], loop: asyncio.AbstractEventLoop
    ) -> None:
        self.nodes = dict(nodes)
        self._loop = loop
        self._users = 0
        self._drained: asyncio.Event | None = None

    def enter(self) -> None:
        """One more user (a request, or a node execution in a worker thread)."""
        self._users += 1

    def leave(self) -> None:
        """One user less; call from the event loop."""
        self._users -= 1
        if self._users == 0 and self._drained is not None:
            self._drained.set()

    def leave_threadsafe(self) -> None:
        """``leave`` from any thread (nothing to do once the loop is closed)."""
        if not self._loop.is_closed():
            self._loop.call_soon_threadsafe(self.leave)

    async def drained(self) -> None:
        """Wait until nothing uses the nodes."""
        if self._users == 0:
            return
        if self._drained is None:
            self._drained = asyncio.Event()
        await self._drained.wait()

    def close(self) -> None:
        """Close every node (blocking: run in a worker thread, after ``drained``)."""
        close_nodes({name: node for name, (node, _) in self.nodes.items()})


def close_nodes(nodes: Mapping[str, PipelineNode]) -> None:
    """Close each node; one failing does not keep the others open."""
    for name, node in nodes.items():
        try:
            node.close()
        except Exception:  # closing is best effort
            log.exception("Closing pipeline node %s failed", name)
