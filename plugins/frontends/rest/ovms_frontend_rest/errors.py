"""Mapping neutral errors to HTTP answers, in one place."""

from __future__ import annotations

import orjson

from ovms_core import OvmsError, StatusCode, http_status

__all__ = ["error_body", "status_of"]


def status_of(error: OvmsError) -> int:
    """The HTTP status for ``error``."""
    return http_status(error.code)


def error_body(error: OvmsError | StatusCode) -> bytes:
    """``{"error": "<message>"}``."""
    return orjson.dumps({"error": error.message})
