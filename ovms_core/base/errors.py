"""The neutral error type every layer raises and every frontend maps in one place."""

from __future__ import annotations

from ovms_core.base.status_codes import StatusCode

__all__ = ["MAX_DETAILS_CHARS", "OvmsError", "bounded_text"]

MAX_DETAILS_CHARS = 1024
"""Longest ``details`` clients see; longer ones keep their start and end (a request's own
values echoed back must not make the answer, or a gRPC status header, unbounded)."""


def bounded_text(text: str, limit: int = MAX_DETAILS_CHARS) -> str:
    """``text``, or its start and end around ``...`` when it is longer than ``limit``."""
    if len(text) <= limit:
        return text
    tail = limit // 4
    return f"{text[: limit - tail - 5]} ... {text[-tail:]}"


class OvmsError(Exception):
    """A failure with an OVMS status code; ``details`` follow as ``"<message> - <details>"``."""

    def __init__(self, code: StatusCode, details: str = "") -> None:
        self.code = code
        self.details = details
        super().__init__(self.message)

    @property
    def message(self) -> str:
        """The full text clients see."""
        if self.details:
            return f"{self.code.message} - {bounded_text(self.details)}"
        return self.code.message

    def __repr__(self) -> str:
        return f"OvmsError({self.code.name}, {self.details!r})"
