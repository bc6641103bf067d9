"""Bounded retries with exponential backoff for calls to remote storage."""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import TypeVar

__all__ = ["RetryPolicy", "describe"]

log = logging.getLogger("ovms.storage")
T = TypeVar("T")


@dataclass(frozen=True)
class RetryPolicy:
    """At most ``attempts`` tries; waits ``first_delay``, then ``factor`` times longer, capped."""

    attempts: int = 3
    first_delay: float = 0.5
    factor: float = 2.0
    max_delay: float = 4.0

    def delay(self, attempt: int) -> float:
        """The wait after failed try number ``attempt`` (1-based)."""
        return float(min(self.first_delay * self.factor ** (attempt - 1), self.max_delay))

    def call(
        self, func: Callable[[], T], retryable: Callable[[BaseException], bool], what: str
    ) -> T:
        """``func()``, tried again after retryable errors; the last error is raised."""
        attempt = 1
        while True:
            try:
                return func()
            except Exception as error:
                if attempt >= self.attempts or not retryable(error):
                    raise
                delay = self.delay(attempt)
                log.warning(
                    "%s failed (attempt %d of %d): %s; retrying in %.1f s",
                    what,
                    attempt,
                    self.attempts,
                    describe(error),
                    delay,
                )
                time.sleep(delay)
                attempt += 1


def describe(error: BaseException) -> str:
    """``Type: first line of the message``, for log lines and status details."""
    text = str(error).strip().splitlines()
    return f"{type(error).__name__}: {text[0]}" if text else type(error).__name__
