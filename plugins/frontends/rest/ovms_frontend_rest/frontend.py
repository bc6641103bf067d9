"""The REST frontend driver: a Tornado HTTP server on the server's event loop."""

from __future__ import annotations

import asyncio
import logging
from typing import Any, ClassVar

import tornado.httpserver
import tornado.netutil
import tornado.web

from ovms_core import ApiKeys, Frontend, Metrics, ServerContext, TlsFiles
from ovms_frontend_rest.config_handlers import config_routes
from ovms_frontend_rest.connections import ConnectionLedger
from ovms_frontend_rest.fast_infer import FastPathRouter
from ovms_frontend_rest.handlers import InvalidUrlHandler, kserve_routes
from ovms_frontend_rest.metrics_handler import metrics_routes
from ovms_frontend_rest.repository_handlers import repository_routes
from ovms_frontend_rest.stats_handlers import stats_routes
from ovms_frontend_rest.tfs_handlers import tfs_routes
from ovms_frontend_rest.tls import watch_certificates

__all__ = ["MAX_BODY_BYTES", "RestFrontend", "build_application"]

log = logging.getLogger("ovms.rest")
MAX_BODY_BYTES = 1024**3


def _cors_headers(context: ServerContext) -> dict[str, str]:
    settings = context.settings
    headers = {
        "Access-Control-Allow-Origin": settings.allowed_origins,
        "Access-Control-Allow-Methods": settings.allowed_methods,
        "Access-Control-Allow-Headers": settings.allowed_headers,
    }
    if settings.allow_credentials:
        headers["Access-Control-Allow-Credentials"] = "true"
    return headers


def build_application(context: ServerContext) -> tornado.web.Application:
    """The Tornado application with every REST route of the installed API modules."""
    routes: list[Any] = [
        *stats_routes(context),
        *repository_routes(context),
        *kserve_routes(context),
        *tfs_routes(context),
        *config_routes(context),
        *metrics_routes(context),
    ]
    return tornado.web.Application(
        routes,
        default_handler_class=InvalidUrlHandler,
        default_handler_args={"context": context},
        ovms_cors=_cors_headers(context),
        ovms_metrics=Metrics.of(context),
        compress_response=False,
    )


class _HTTPServer(tornado.httpserver.HTTPServer):
    """Tells the router when a connection ends, which Tornado's server keeps to itself."""

    def on_close(self, server_conn: object) -> None:
        super().on_close(server_conn)
        assert isinstance(self.request_callback, FastPathRouter)
        self.request_callback.on_close(server_conn)


class RestFrontend(Frontend):
    """Serves the REST APIs on ``--rest_port`` at each of ``--rest_bind_address``."""

    name: ClassVar[str] = "rest"

    def __init__(self) -> None:
        self._server: tornado.httpserver.HTTPServer | None = None
        self._watcher: asyncio.Task[None] | None = None
        self._router: FastPathRouter | None = None
        self._drain_seconds = 30.0
        self._drain_deadline: float | None = None

    async def start(self, context: ServerContext) -> None:
        """Bind every address and start accepting connections."""
        settings = context.settings
        app = build_application(context)
        self._drain_seconds = float(settings.shutdown_timeout_seconds)
        router = FastPathRouter(
            app,
            context.dataplane,
            Metrics.of(context),
            _cors_headers(context),
            MAX_BODY_BYTES,
            ConnectionLedger(settings.rest_body_memory_quota),
            ApiKeys.of(context),
        )
        tls = TlsFiles.of(context)
        server = _HTTPServer(
            router,
            ssl_options=tls.ssl_context() if tls else None,
            max_body_size=MAX_BODY_BYTES,
            max_buffer_size=MAX_BODY_BYTES,
            decompress_request=False,
        )
        for address in settings.rest_bind_address.split(","):
            sockets = tornado.netutil.bind_sockets(
                settings.rest_port, address.strip() or None, reuse_port=settings.reuse_port
            )
            server.add_sockets(sockets)
        self._server = server
        if tls:
            self._watcher = asyncio.get_running_loop().create_task(watch_certificates(server, tls))
        self._router = router
        log.info("REST server listening on port %d%s", settings.rest_port, " (TLS)" if tls else "")

    async def stop_accepting(self) -> None:
        """Close the listening sockets; open connections keep being served."""
        if self._server is not None:
            self._server.stop()
            self._drain_deadline = asyncio.get_running_loop().time() + self._drain_seconds

    async def stop(self) -> None:
        """Stop listening, let open connections' requests be answered in full, then close.

        Answers still being written count; the wait ends ``--shutdown_timeout_seconds`` after
        ``stop_accepting``.
        """
        server, self._server = self._server, None
        if self._watcher is not None:
            self._watcher.cancel()
        router, self._router = self._router, None
        if server is None or router is None:
            return
        server.stop()
        loop = asyncio.get_running_loop()
        deadline = self._drain_deadline or loop.time() + self._drain_seconds
        try:
            await asyncio.wait_for(router.ledger.wait_idle(), max(0.0, deadline - loop.time()))
        except TimeoutError:
            log.warning(
                "REST answers still being sent after %.0f s (--shutdown_timeout_seconds); closing",
                self._drain_seconds,
            )
        await server.close_all_connections()
        await router.offload.close()
