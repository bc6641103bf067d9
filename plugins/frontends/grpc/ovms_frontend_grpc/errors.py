"""Mapping neutral errors to gRPC status, in one place."""

from __future__ import annotations

import grpc

from ovms_core import OvmsError, StatusCode

__all__ = ["INTERNAL_ERROR", "grpc_status"]

INTERNAL_ERROR = (grpc.StatusCode.INTERNAL, StatusCode.INTERNAL_ERROR.message)
"""What a call that failed in an unexpected way answers; the details go to the log."""


def grpc_status(error: OvmsError) -> tuple[grpc.StatusCode, str]:
    """The gRPC code of the OVMS table and the full OVMS message.

    OVMS answers codes missing from its gRPC table with ``UNKNOWN`` and the text
    ``Unknown error``; this server keeps ``UNKNOWN`` but sends the real message.
    """
    return grpc.StatusCode[error.code.grpc_code], error.message
