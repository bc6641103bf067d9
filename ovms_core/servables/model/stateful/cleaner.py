"""The idle-sequence cleaner: every interval, drop sequences no request touched since last time."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable, Iterable
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from ovms_core.models.compiled import CompiledVersion
    from ovms_core.servables.model.stateful.runner import StatefulRunner

StatefulVersions = Callable[[], Iterable[tuple["CompiledVersion", "StatefulRunner"]]]
"""Lists the loaded stateful versions with their runners (``RunnerCache.stateful``)."""

__all__ = ["clean_idle_sequences", "run_sequence_cleaner"]

log = logging.getLogger("ovms.sequences")


def clean_idle_sequences(versions: StatefulVersions) -> int:
    """One pass over every loaded stateful version with idle cleanup; returns the removed count."""
    removed = 0
    for compiled, runner in versions():
        sequences = runner.sequences
        if not sequences.settings.idle_sequence_cleanup:
            continue
        count = sequences.remove_idle()
        if count:
            log.debug(
                "Idle sequence cleanup removed %d sequence(s) of model %s version %d",
                count,
                compiled.model.name,
                compiled.model.version,
            )
        removed += count
    return removed


async def run_sequence_cleaner(versions: StatefulVersions, interval_seconds: float) -> None:
    """Clean every ``interval_seconds`` until cancelled.

    The server runs it every ``--sequence_cleaner_poll_wait_minutes`` (0 disables it).
    """
    while True:
        await asyncio.sleep(interval_seconds)
        clean_idle_sequences(versions)
