"""``GET /metrics``: the Prometheus text, only when metrics are enabled (else 400 Invalid URL)."""

from __future__ import annotations

from typing import Any

from ovms_core import Metrics, ServerContext
from ovms_frontend_rest.handlers import BaseHandler

__all__ = ["CONTENT_TYPE", "metrics_routes"]

CONTENT_TYPE = "text/plain; version=0.0.4; charset=utf-8"


class MetricsHandler(BaseHandler):
    async def get(self) -> None:
        self.set_header("Content-Type", CONTENT_TYPE)
        self.finish(await self.metrics.scrape())

    post = BaseHandler._unsupported


def metrics_routes(context: ServerContext) -> list[tuple[str, type, dict[str, Any]]]:
    """The metrics route when metrics are enabled (the query string is ignored)."""
    if not Metrics.of(context).enabled:
        return []
    return [(r"(?:.?)/metrics", MetricsHandler, {"context": context})]
