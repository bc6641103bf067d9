"""The neutral error type every layer raises and every frontend maps in one place."""

from __future__ import annotations

from ovms_core.status_codes import StatusCode

__all__ = ["OvmsError"]


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
            return f"{self.code.message} - {self.details}"
        return self.code.message

    def __repr__(self) -> str:
        return f"OvmsError({self.code.name}, {self.details!r})"
