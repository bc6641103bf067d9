"""The ``dynamic_batching`` model setting: merge concurrent requests into one inference."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from ovms_core.config.errors import ConfigError
from ovms_core.config.schema import Path, check_object, is_uint

__all__ = ["DynamicBatching"]

_FIELDS = {
    "max_batch_size": (is_uint, "an integer >= 2"),
    "max_queue_delay_us": (is_uint, "an integer >= 0"),
}
MAX_BATCH_SIZE = 4096
MAX_QUEUE_DELAY_US = 1_000_000


@dataclass(frozen=True)
class DynamicBatching:
    """Up to ``max_batch_size`` samples per inference; a request waits at most the delay."""

    max_batch_size: int
    max_queue_delay_us: int = 0

    @classmethod
    def parse(cls, raw: Any, path: Path) -> DynamicBatching | None:
        """From ``{"max_batch_size": 16, "max_queue_delay_us": 500}``; None when absent."""
        if raw is None:
            return None
        check_object(raw, path, _FIELDS, required=("max_batch_size",))
        size = raw["max_batch_size"]
        if not 2 <= size <= MAX_BATCH_SIZE:
            raise ConfigError(
                f"expected an integer from 2 to {MAX_BATCH_SIZE}",
                path=(*path, "max_batch_size"),
                value=size,
            )
        delay = raw.get("max_queue_delay_us", 0)
        if delay > MAX_QUEUE_DELAY_US:
            raise ConfigError(
                f"expected an integer from 0 to {MAX_QUEUE_DELAY_US}",
                path=(*path, "max_queue_delay_us"),
                value=delay,
            )
        return cls(size, delay)
