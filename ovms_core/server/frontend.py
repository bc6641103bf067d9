"""The frontend interface: a network API, from the ``ovms.frontends`` group."""

from __future__ import annotations

from abc import ABC, abstractmethod
from typing import TYPE_CHECKING, ClassVar

if TYPE_CHECKING:
    from ovms_core.server.context import ServerContext

__all__ = ["Frontend"]


class Frontend(ABC):
    """A network API served on the server's event loop (REST, gRPC...)."""

    name: ClassVar[str] = ""

    @abstractmethod
    async def start(self, context: ServerContext) -> None:
        """Start listening; return once the listener accepts connections."""

    async def stop_accepting(self) -> None:  # noqa: B027 - optional step, default no-op
        """Stop accepting new connections; calls already running go on.

        Called at shutdown before the server waits for running requests; ``stop`` follows.
        """

    @abstractmethod
    async def stop(self) -> None:
        """Stop accepting new calls and close the listener."""
