"""The idle-sequence cleaner: every interval, drop sequences no request touched since last time.

The server's ``--sequence_cleaner_poll_wait_minutes`` sets the interval (0 disables it); the
cleaner starts with the server (``ovms_server_started``) and stops with it.
"""

from __future__ import annotations

import asyncio
import logging
from weakref import WeakSet

from ovms_core import ServerContext, hookimpl
from ovms_runner_stateful.sequences import SequenceManager

__all__ = ["CLEANER", "SequenceCleaner"]

log = logging.getLogger("ovms.sequences")


class SequenceCleaner:
    """Cleans the sequences of every live stateful version with idle cleanup on."""

    def __init__(self) -> None:
        self.managers: WeakSet[SequenceManager] = WeakSet()
        """Tracked weakly: a reload's new version starts its own; the old one's goes with it."""
        self._task: asyncio.Task[None] | None = None

    def track(self, manager: SequenceManager) -> None:
        """Clean ``manager``'s idle sequences from now on."""
        self.managers.add(manager)

    def clean(self) -> int:
        """One pass over every tracked version; returns how many sequences were removed."""
        removed = 0
        for manager in list(self.managers):
            count = manager.remove_idle()
            if count:
                log.debug(
                    "Idle sequence cleanup removed %d sequence(s) of %s", count, manager.label
                )
            removed += count
        return removed

    def start(self, loop: asyncio.AbstractEventLoop, interval_seconds: float) -> None:
        """Clean every ``interval_seconds`` on ``loop`` until ``stop``."""
        self.stop()
        self._task = loop.create_task(self._run(interval_seconds))

    @property
    def running(self) -> bool:
        """Whether the cleaner is started."""
        return self._task is not None

    def stop(self) -> None:
        """Stop cleaning (nothing happens when not started)."""
        if self._task is not None:
            self._task.cancel()
            self._task = None

    async def _run(self, interval_seconds: float) -> None:
        while True:
            await asyncio.sleep(interval_seconds)
            self.clean()

    @hookimpl
    def ovms_server_started(self, context: ServerContext) -> None:
        """Start cleaning every ``--sequence_cleaner_poll_wait_minutes`` (0: never)."""
        minutes = context.settings.sequence_cleaner_poll_wait_minutes
        if minutes > 0:
            self.start(context.loop, minutes * 60)

    @hookimpl
    def ovms_server_stopping(self, context: ServerContext) -> None:
        """Stop cleaning."""
        self.stop()


CLEANER = SequenceCleaner()
"""The process's cleaner: the ``stateful`` hook plugin, tracking what ``StatefulMode`` makes."""
