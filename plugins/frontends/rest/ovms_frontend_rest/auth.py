"""API keys on the REST port: which requests need one, and the 401 answer for those without.

The check runs once per request, in ``FastPathRouter``, before any handler: the infer fast path
and every ``tornado.web`` route are guarded by the same code.
"""

from __future__ import annotations

import logging
import re

import tornado.httputil
import tornado.iostream

from ovms_core import ApiKeys, StatusCode
from ovms_frontend_rest.errors import error_body

__all__ = ["OPEN_PATHS", "Unauthorized", "needs_key"]

log = logging.getLogger("ovms.rest")
OPEN_PATHS = frozenset({"/v2/health/live", "/v2/health/ready"})
"""Probes answer without a key (they reveal only whether the server is up and ready)."""
_METRICS = re.compile(r".?/metrics")
_UNAUTHORIZED = tornado.httputil.ResponseStartLine("HTTP/1.1", 401, "Unauthorized")


def needs_key(keys: ApiKeys, method: str, target: str) -> bool:
    """Whether ``method target`` must carry an API key.

    CORS preflights (``OPTIONS``) are open: browsers send them without credentials, and they
    answer nothing but the CORS headers.
    """
    if not keys.enabled or method == "OPTIONS":
        return False
    path = target.partition("?")[0]
    if path in OPEN_PATHS:
        return False
    return keys.protect_metrics or _METRICS.fullmatch(path) is None


class Unauthorized(tornado.httputil.HTTPMessageDelegate):
    """401 with ``WWW-Authenticate: Bearer`` and the OVMS text; the body is never read."""

    def __init__(self, connection: tornado.httputil.HTTPConnection, cors: dict[str, str]) -> None:
        self.connection = connection
        self.cors = cors

    def finish(self) -> None:
        payload = error_body(StatusCode.UNAUTHORIZED)
        headers = tornado.httputil.HTTPHeaders(self.cors)
        headers["Content-Type"] = "application/json"
        headers["Content-Length"] = str(len(payload))
        headers["WWW-Authenticate"] = "Bearer"
        try:
            self.connection.write_headers(_UNAUTHORIZED, headers, payload)
            self.connection.finish()
        except tornado.iostream.StreamClosedError:
            log.debug("a client closed its connection before the answer")
