"""The gRPC frontend driver: ``grpc.aio`` servers on the server's event loop."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Coroutine
from typing import Any, ClassVar

import grpc
from grpc_health.v1 import health, health_pb2, health_pb2_grpc
from grpc_reflection.v1alpha import reflection

from ovms_core import (
    ApiKeys,
    Frontend,
    Metrics,
    ModelControl,
    ServerContext,
    ServerSettings,
    TlsFiles,
    hookimpl,
)
from ovms_frontend_grpc.auth import ApiKeyInterceptor
from ovms_frontend_grpc.kserve_service import SERVICE_NAME as KSERVE_SERVICE
from ovms_frontend_grpc.kserve_service import KServeService
from ovms_frontend_grpc.tfs_service import MODEL_SERVICE_NAME, PREDICTION_SERVICE_NAME, TfsService
from ovms_frontend_grpc.tls import server_credentials

__all__ = ["MAX_MESSAGE_BYTES", "SERVICE_NAMES", "GrpcFrontend", "bind_targets", "server_options"]

log = logging.getLogger("ovms.grpc")
MAX_MESSAGE_BYTES = 1024**3
SHUTDOWN_GRACE_SECONDS = 5.0
SERVICE_NAMES = (KSERVE_SERVICE, PREDICTION_SERVICE_NAME, MODEL_SERVICE_NAME)
_SERVING = health_pb2.HealthCheckResponse.SERVING
_NOT_SERVING = health_pb2.HealthCheckResponse.NOT_SERVING


def server_options(settings: ServerSettings) -> list[tuple[str, Any]]:
    """OVMS defaults (1 GiB messages), then the user's args.

    OVMS also limits concurrent streams per connection to the number of cores. Not here: a
    cancelled call keeps its stream until its handler returns, and with such a low limit a
    client's next call on the same connection is refused (UNAVAILABLE, REFUSED_STREAM).
    ``--grpc_channel_arguments grpc.max_concurrent_streams=N`` sets a limit.
    """
    options: dict[str, Any] = {
        "grpc.max_receive_message_length": MAX_MESSAGE_BYTES,
        "grpc.max_send_message_length": MAX_MESSAGE_BYTES,
        # Several servers or processes share the port; one alone must fail on a port taken.
        "grpc.so_reuseport": 1 if settings.grpc_workers > 1 or settings.reuse_port else 0,
    }
    options.update(settings.channel_arguments())
    return list(options.items())


def bind_targets(settings: ServerSettings) -> list[str]:
    """``host:port`` for each address of ``--grpc_bind_address`` (IPv6 in brackets)."""
    targets = []
    for address in settings.grpc_bind_address.split(","):
        host = address.strip() or "0.0.0.0"
        if ":" in host and not host.startswith("["):
            host = f"[{host}]"
        targets.append(f"{host}:{settings.port}")
    return targets


class GrpcFrontend(Frontend):
    """KServe v2 and TF Serving over gRPC on ``--port``, with health and reflection.

    ``--grpc_workers`` servers share the port (``SO_REUSEPORT``) and the event loop. The
    health service reports ``NOT_SERVING`` until the initial configuration is loaded.
    """

    name: ClassVar[str] = "grpc"

    def __init__(self) -> None:
        self._servers: list[grpc.aio.Server] = []
        self._health: health.aio.HealthServicer | None = None
        self._tasks: set[asyncio.Task[None]] = set()

    async def start(self, context: ServerContext) -> None:
        """Bind every address of every worker and start serving."""
        settings = context.settings
        options = server_options(settings)
        handlers = [
            KServeService(
                context.dataplane, Metrics.of(context), ModelControl.of(context)
            ).handler(),
            *TfsService(context.dataplane, Metrics.of(context)).handlers(),
        ]
        self._health = health.aio.HealthServicer()
        for service in ("", *SERVICE_NAMES):
            await self._health.set(service, _SERVING if context.dataplane.ready else _NOT_SERVING)
        keys = ApiKeys.of(context)
        interceptors = [ApiKeyInterceptor(keys)] if keys.enabled else []
        tls = TlsFiles.of(context)
        credentials = server_credentials(tls) if tls else None
        for _ in range(settings.grpc_workers):
            server = grpc.aio.server(options=options, interceptors=interceptors)
            server.add_generic_rpc_handlers(handlers)
            health_pb2_grpc.add_HealthServicer_to_server(self._health, server)
            reflection.enable_server_reflection(
                (*SERVICE_NAMES, health.SERVICE_NAME, reflection.SERVICE_NAME), server
            )
            self._servers.append(server)
            for target in bind_targets(settings):
                _bind(server, target, credentials)
            await server.start()
        log.info("gRPC server listening on port %d%s", settings.port, " (TLS)" if tls else "")

    async def stop(self) -> None:
        """Stop accepting calls; in-flight calls get a short grace period."""
        servers, self._servers = self._servers, []
        if self._health is not None:
            await self._health.enter_graceful_shutdown()
        await asyncio.gather(*(server.stop(SHUTDOWN_GRACE_SECONDS) for server in servers))

    @hookimpl
    def ovms_server_started(self, context: ServerContext) -> None:
        """The initial configuration is loaded: health turns ``SERVING``."""
        if self._health is not None:
            for service in ("", *SERVICE_NAMES):
                self._spawn(self._health.set(service, _SERVING))

    @hookimpl
    def ovms_server_stopping(self, context: ServerContext) -> None:
        """Health turns ``NOT_SERVING`` before the listeners close."""
        if self._health is not None:
            self._spawn(self._health.enter_graceful_shutdown())

    def _spawn(self, coroutine: Coroutine[Any, Any, None]) -> None:
        task = asyncio.get_running_loop().create_task(coroutine)
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)


def _bind(server: grpc.aio.Server, target: str, credentials: grpc.ServerCredentials | None) -> None:
    try:
        if credentials is None:
            port = server.add_insecure_port(target)
        else:
            port = server.add_secure_port(target, credentials)
    except RuntimeError as error:
        raise OSError(f"cannot listen for gRPC on {target}: {error}") from None
    if port == 0:
        raise OSError(f"cannot listen for gRPC on {target}")
