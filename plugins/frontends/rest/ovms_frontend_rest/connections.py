"""Per-connection bookkeeping: body bytes held (the quota) and requests not yet fully answered.

A request counts from its headers until Tornado asks the connection for the next request (or
the connection closes), which is after the answer has been handed to the socket in full. Body
bytes count as they arrive, never as announced, and are released at that same point.
"""

from __future__ import annotations

import asyncio

__all__ = ["ConnectionLedger"]


class ConnectionLedger:
    """Body bytes held per connection under a shared quota, and connections mid-request."""

    def __init__(self, quota: int) -> None:
        self.quota = quota
        """Bytes of bodies held at once over every connection; 0 means no limit."""
        self.held = 0
        self._held_by: dict[object, int] = {}
        self._busy: set[object] = set()
        self._idle: asyncio.Event | None = None

    def request_started(self, connection: object) -> None:
        """A request's headers arrived on ``connection``."""
        self._busy.add(connection)

    def fits(self, size: int) -> bool:
        """Whether ``size`` more body bytes would fit under the quota now."""
        return not self.quota or self.held + size <= self.quota

    def take(self, connection: object, size: int) -> bool:
        """Hold ``size`` more body bytes for ``connection``; False when over the quota."""
        if not self.fits(size):
            return False
        self.held += size
        self._held_by[connection] = self._held_by.get(connection, 0) + size
        return True

    def request_done(self, connection: object) -> None:
        """The request on ``connection`` is answered (or the connection closed)."""
        self.held -= self._held_by.pop(connection, 0)
        self._busy.discard(connection)
        if not self._busy and self._idle is not None:
            self._idle.set()

    async def wait_idle(self) -> None:
        """Return once no connection is in the middle of a request."""
        while self._busy:
            self._idle = asyncio.Event()
            await self._idle.wait()
