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
DRAIN_SECONDS = 10.0


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


class RestFrontend(Frontend):
    """Serves the REST APIs on ``--rest_port`` at each of ``--rest_bind_address``."""

    name: ClassVar[str] = "rest"

    def __init__(self) -> None:
        self._server: tornado.httpserver.HTTPServer | None = None
        self._watcher: asyncio.Task[None] | None = None

    async def start(self, context: ServerContext) -> None:
        """Bind every address and start accepting connections."""
        settings = context.settings
        app = build_application(context)
        router = FastPathRouter(
            app,
            context.dataplane,
            Metrics.of(context),
            _cors_headers(context),
            MAX_BODY_BYTES,
            ApiKeys.of(context),
        )
        tls = TlsFiles.of(context)
        server = tornado.httpserver.HTTPServer(
            router,
            ssl_options=tls.ssl_context() if tls else None,
            max_body_size=MAX_BODY_BYTES,
            max_buffer_size=MAX_BODY_BYTES,
            decompress_request=False,
        )
        for address in settings.rest_bind_address.split(","):
            sockets = tornado.netutil.bind_sockets(settings.rest_port, address.strip() or None)
            server.add_sockets(sockets)
        self._server = server
        if tls:
            self._watcher = asyncio.get_running_loop().create_task(watch_certificates(server, tls))
        log.info("REST server listening on port %d%s", settings.rest_port, " (TLS)" if tls else "")

    async def stop_accepting(self) -> None:
        """Close the listening sockets; open connections keep being served."""
        if self._server is not None:
            self._server.stop()

    async def stop(self) -> None:
        """Stop listening, then close connections (bounded wait for in-flight requests)."""
        server, self._server = self._server, None
        if self._watcher is not None:
            self._watcher.cancel()
        if server is None:
            return
        server.stop()
        try:
            await asyncio.wait_for(server.close_all_connections(), DRAIN_SECONDS)
        except TimeoutError:
            log.warning("REST connections still open after %.0f s; closing", DRAIN_SECONDS)
