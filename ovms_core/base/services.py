"""The shape of what holds the server's shared services, for lookups from any layer."""

from __future__ import annotations

from typing import Any, Protocol

__all__ = ["HasServices"]


class HasServices(Protocol):
    """Anything with the server's services by name (a ``ServerContext``)."""

    services: dict[str, Any]
