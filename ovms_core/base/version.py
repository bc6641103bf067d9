"""Version strings of the server."""

from __future__ import annotations

from importlib.metadata import PackageNotFoundError, version

import openvino as ov

__all__ = ["COMPATIBLE_OVMS", "SERVER_NAME", "package_version", "server_version"]

SERVER_NAME = "OpenVINO Model Server"
"""The name in server metadata; clients of OVMS check it, so it is kept."""
COMPATIBLE_OVMS = "2026.2.0"


def package_version() -> str:
    """The installed version of ovms-core."""
    try:
        return version("ovms-core")
    except PackageNotFoundError:
        return "0+unknown"


def server_version() -> str:
    """The version in server metadata: the OVMS release matched, then this server's version."""
    return f"{COMPATIBLE_OVMS}.ovms-py-{package_version()}"


def backend_version() -> str:
    """The OpenVINO runtime version."""
    return str(ov.get_version())
