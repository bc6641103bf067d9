"""The KServe infer hot path, served below ``tornado.web`` for less work per request.

``FastPathRouter`` is the HTTP server's delegate: a ``POST .../infer`` request is handled by
``KServeInferDelegate`` straight from Tornado's HTTP/1 connection (the body is received into
one writable buffer, grown as data arrives, that OpenVINO can share without a copy); every
other request goes to the ``tornado.web.Application`` unchanged. Answers are identical to the
application's.
"""

from __future__ import annotations

import asyncio
import logging
import re
import urllib.parse
from http import HTTPStatus
from time import perf_counter

import orjson
import tornado.httputil
import tornado.iostream
import tornado.web

from ovms_core import ApiKeys, Dataplane, Metrics, OvmsError, StatusCode
from ovms_frontend_rest.auth import Unauthorized, needs_key
from ovms_frontend_rest.connections import ConnectionLedger
from ovms_frontend_rest.errors import error_body, status_of
from ovms_frontend_rest.handlers import KSERVE, parse_version
from ovms_frontend_rest.json_offload import OFFLOAD_BYTES, JsonOffload
from ovms_frontend_rest.kserve_codec import decode_infer_request, encode_infer_result, header_length

__all__ = ["INFER_PATH", "FastPathRouter"]

log = logging.getLogger("ovms.rest")
INFER_PATH = re.compile(r"/v2/models/([^/]+)(?:/versions/([0-9]+))?/infer")
_OK = tornado.httputil.ResponseStartLine("HTTP/1.1", 200, "OK")


class FastPathRouter(tornado.httputil.HTTPServerConnectionDelegate):
    """Sends KServe infer requests to the fast path and the rest to ``application``."""

    def __init__(
        self,
        application: tornado.web.Application,
        dataplane: Dataplane,
        metrics: Metrics,
        cors: dict[str, str],
        max_body: int,
        ledger: ConnectionLedger,
        api_keys: ApiKeys | None = None,
    ) -> None:
        self.application = application
        self.api_keys = api_keys or ApiKeys()
        self.dataplane = dataplane
        self.metrics = metrics
        self.cors = cors
        self.max_body = max_body
        self.ledger = ledger
        self.offload = JsonOffload()
        self.inflight: set[asyncio.Task[None]] = set()

    def start_request(
        self, server_conn: object, request_conn: tornado.httputil.HTTPConnection
    ) -> tornado.httputil.HTTPMessageDelegate:
        self.ledger.request_done(server_conn)  # the previous request is answered in full
        return _Dispatch(self, server_conn, request_conn)

    def on_close(self, server_conn: object) -> None:
        self.ledger.request_done(server_conn)
        self.application.on_close(server_conn)


class _Dispatch(tornado.httputil.HTTPMessageDelegate):
    """Chooses the delegate once the start line is known, then forwards to it."""

    __slots__ = ("delegate", "refused", "request_conn", "router", "server_conn")

    def __init__(
        self,
        router: FastPathRouter,
        server_conn: object,
        request_conn: tornado.httputil.HTTPConnection,
    ) -> None:
        self.router = router
        self.server_conn = server_conn
        self.request_conn = request_conn
        self.delegate: tornado.httputil.HTTPMessageDelegate | None = None
        self.refused = False

    def headers_received(
        self,
        start_line: tornado.httputil.RequestStartLine | tornado.httputil.ResponseStartLine,
        headers: tornado.httputil.HTTPHeaders,
    ) -> None:
        assert isinstance(start_line, tornado.httputil.RequestStartLine)
        self.router.ledger.request_started(self.server_conn)
        if not self.router.ledger.fits(_announced(headers)):
            self._refuse_busy()
            return
        if ".." in urllib.parse.unquote(start_line.path):
            self.delegate = _Refusal(self.router, self.request_conn, StatusCode.PATH_INVALID)
            return
        keys = self.router.api_keys
        if needs_key(keys, start_line.method, start_line.path) and not keys.allows(
            headers.get("Authorization")
        ):
            self.delegate = Unauthorized(self.request_conn, self.router.cors)
            return
        match = INFER_PATH.fullmatch(start_line.path) if start_line.method == "POST" else None
        if match is not None and "%" not in start_line.path:
            self.delegate = KServeInferDelegate(self.router, self.request_conn, match, headers)
        else:
            self.delegate = self.router.application.start_request(
                self.server_conn, self.request_conn
            )
        self.delegate.headers_received(start_line, headers)

    def data_received(self, chunk: bytes) -> None:
        if self.refused:
            return
        assert self.delegate is not None
        if not self.router.ledger.take(self.server_conn, len(chunk)):
            self._refuse_busy()
            return
        self.delegate.data_received(chunk)

    def _refuse_busy(self) -> None:
        """Over the body quota: drop the body, what came and what is still to come.

        Reading the rest lets the client read the answer instead of a reset; ``finish``
        answers 503.
        """
        self.refused = True
        if self.delegate is not None:
            self.delegate.on_connection_close()

    def finish(self) -> None:
        if self.refused:
            quota = self.router.ledger.quota
            text = (
                f"Server is busy: request bodies being received exceed {quota} bytes "
                "(--rest_body_memory_quota); retry later"
            )
            log.info("REST request refused: bodies being received exceed %d bytes", quota)
            _answer(self.router, self.request_conn, 503, orjson.dumps({"error": text}), None)
            return
        assert self.delegate is not None
        self.delegate.finish()

    def on_connection_close(self) -> None:
        if self.delegate is not None and not self.refused:
            self.delegate.on_connection_close()


class KServeInferDelegate(tornado.httputil.HTTPMessageDelegate):
    """One ``POST /v2/models/{m}[/versions/{v}]/infer`` request."""

    def __init__(
        self,
        router: FastPathRouter,
        connection: tornado.httputil.HTTPConnection,
        match: re.Match[str],
        headers: tornado.httputil.HTTPHeaders,
    ) -> None:
        self.router = router
        self.connection = connection
        self.model_name = match.group(1)
        self.version_text = match.group(2)
        self.headers = headers
        # Grows as data arrives (amortized), never to the announced size up front: a body
        # costs memory only once it is sent. Bodies over ``max_body`` are refused by the
        # connection before any data arrives.
        self.body = bytearray()

    def data_received(self, chunk: bytes) -> None:
        self.body += chunk

    def finish(self) -> None:
        task = asyncio.ensure_future(self._answer())
        self.router.inflight.add(task)
        task.add_done_callback(self.router.inflight.discard)

    async def _answer(self) -> None:
        started = perf_counter()
        metrics = self.router.metrics
        name = self.model_name
        requested: int | None = None
        try:
            requested = parse_version(self.version_text)
            body = self.body
            length = header_length(self.headers.get("Inference-Header-Content-Length"), len(body))
            head_size = len(body) if length is None else length
            parsed = None
            if head_size >= OFFLOAD_BYTES:
                parsed = await self.router.offload.parse(bytes(memoryview(body)[:head_size]))
            decoded = decode_infer_request(body, length, name, requested, parsed)
            result = await self.router.dataplane.infer(decoded.request)
            with result:
                payload, json_length = encode_infer_result(result, decoded)
        except OvmsError as error:
            metrics.request_done(KSERVE, "REST", "ModelInfer", name, requested, False)
            self._write(status_of(error), error_body(error), None)
            return
        except Exception:
            log.exception("Unexpected error in KServe infer for %s", name)
            metrics.request_done(KSERVE, "REST", "ModelInfer", name, requested, False)
            self._write(500, error_body(StatusCode.INTERNAL_ERROR), None)
            return
        metrics.request_done(
            KSERVE, "REST", "ModelInfer", name, result.model_version, True, perf_counter() - started
        )
        self._write(200, payload, json_length)

    def _write(self, status: int, payload: bytes, json_length: int | None) -> None:
        _answer(self.router, self.connection, status, payload, json_length)

    def on_connection_close(self) -> None:
        self.body = bytearray()


class _Refusal(tornado.httputil.HTTPMessageDelegate):
    """Answers any request with one OVMS error (a path with a ``..`` escape, for example)."""

    def __init__(
        self,
        router: FastPathRouter,
        connection: tornado.httputil.HTTPConnection,
        code: StatusCode,
    ) -> None:
        self.router = router
        self.connection = connection
        self.error = OvmsError(code)

    def finish(self) -> None:
        _answer(self.router, self.connection, status_of(self.error), error_body(self.error), None)


def _announced(headers: tornado.httputil.HTTPHeaders) -> int:
    """The body size ``Content-Length`` announces (0 when absent or malformed)."""
    try:
        return max(0, int(headers.get("Content-Length", "0") or 0))
    except ValueError:
        return 0  # the connection rejects the request itself


def _answer(
    router: FastPathRouter,
    connection: tornado.httputil.HTTPConnection,
    status: int,
    payload: bytes,
    json_length: int | None,
) -> None:
    headers = tornado.httputil.HTTPHeaders(router.cors)
    headers["Content-Type"] = "application/json"
    headers["Content-Length"] = str(len(payload))
    if json_length is not None:
        headers["Inference-Header-Content-Length"] = str(json_length)
    start_line = (
        _OK
        if status == 200
        else tornado.httputil.ResponseStartLine("HTTP/1.1", status, HTTPStatus(status).phrase)
    )
    try:
        connection.write_headers(start_line, headers, payload)
        connection.finish()
    except tornado.iostream.StreamClosedError:
        log.debug("a client closed its connection before the answer")
