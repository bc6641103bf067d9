"""The idle-sequence cleaner: every interval, drop sequences no request touched since last time."""

from __future__ import annotations

import asyncio
import logging
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from ovms_core.models.manager import ModelManager

__all__ = ["clean_idle_sequences", "run_sequence_cleaner"]

log = logging.getLogger("ovms.sequences")


def clean_idle_sequences(manager: ModelManager) -> int:
    """One pass over every loaded stateful version with idle cleanup; returns the removed count."""
    removed = 0
    for model in manager.models.values():
        for version in model.versions.values():
            servable = version.servable
            sequences = servable.sequences if servable is not None else None
            if sequences is None or not sequences.settings.idle_sequence_cleanup:
                continue
            count = sequences.remove_idle()
            if count:
                log.debug(
                    "Idle sequence cleanup removed %d sequence(s) of model %s version %d",
                    count,
                    model.name,
                    version.number,
                )
            removed += count
    return removed


async def run_sequence_cleaner(manager: ModelManager, interval_seconds: float) -> None:
    """Clean every ``interval_seconds`` until cancelled.

    The server runs it every ``--sequence_cleaner_poll_wait_minutes`` (0 disables it).
    """
    while True:
        await asyncio.sleep(interval_seconds)
        clean_idle_sequences(manager)
