"""What a running server hands to its frontends and hook plugins."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import Any

from ovms_core.config.server_settings import ServerSettings
from ovms_core.dataplane.dataplane import Dataplane

__all__ = ["ServerContext"]


@dataclass
class ServerContext:
    """Settings, the dataplane and the server's services, shared by every frontend."""

    settings: ServerSettings
    dataplane: Dataplane
    hooks: Any
    """The server's hook caller (``ovms_core.server.hooks.Hooks``)."""
    loop: asyncio.AbstractEventLoop
    reload_config: Callable[[], Awaitable[Any]]
    """Re-read the configuration now (``POST /v1/config/reload``)."""
    services: dict[str, Any] = field(default_factory=dict)
    """Shared objects by name (``metrics``, ``api_keys``, ``tls``, ``model_control``,
    ``runners``), set up before frontends start."""
