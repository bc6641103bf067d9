"""The KServe statistics extension: ``GET /v2/models[/{name}[/versions/{v}]]/stats``."""

from __future__ import annotations

from typing import Any

import orjson

from ovms_core import ServerContext
from ovms_frontend_rest.handlers import BaseHandler, parse_version

__all__ = ["stats_routes"]


class ModelStatisticsHandler(BaseHandler):
    def get(self, name: str | None = None, version: str | None = None) -> None:
        stats = self.dataplane.model_statistics(name, parse_version(version))
        self.finish(orjson.dumps({"model_stats": stats}))

    post = BaseHandler._unsupported


def stats_routes(context: ServerContext) -> list[tuple[str, type, dict[str, Any]]]:
    """The statistics routes; they go before the model metadata route, which would take them."""
    args = {"context": context}
    return [
        (r"/v2/models/stats", ModelStatisticsHandler, args),
        (r"/v2/models/([^/]+)(?:/versions/([0-9]+))?/stats", ModelStatisticsHandler, args),
    ]
