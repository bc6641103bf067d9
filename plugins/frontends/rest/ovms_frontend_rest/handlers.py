"""Tornado handlers: the shared base (CORS, errors, method checks) and the KServe v2 routes."""

from __future__ import annotations

import logging
from time import perf_counter
from typing import Any

import orjson
import tornado.web

from ovms_core import Dataplane, Metrics, OvmsError, ServerContext, StatusCode
from ovms_frontend_rest.errors import error_body, status_of
from ovms_frontend_rest.kserve_codec import decode_infer_request, encode_infer_result, header_length

__all__ = ["BaseHandler", "kserve_routes", "parse_version"]

log = logging.getLogger("ovms.rest")
_INT64_MAX = 2**63 - 1
KSERVE = "KServe"


def parse_version(text: str | None) -> int | None:
    """A version from the URL (digits only); out of int64 range means no such version."""
    if text is None:
        return None
    value = int(text)
    if value > _INT64_MAX:
        raise OvmsError(StatusCode.MODEL_VERSION_MISSING)
    return value


class BaseHandler(tornado.web.RequestHandler):
    """CORS headers on every answer, OVMS errors as JSON, 406 for unsupported methods."""

    SUPPORTED_METHODS = ("GET", "POST", "OPTIONS", "PUT", "DELETE", "PATCH", "HEAD")

    def initialize(self, context: ServerContext) -> None:
        self.context = context
        self.dataplane: Dataplane = context.dataplane
        self.metrics: Metrics = self.settings["ovms_metrics"]

    def set_default_headers(self) -> None:
        settings = self.settings["ovms_cors"]
        for name, value in settings.items():
            self.set_header(name, value)
        self.set_header("Content-Type", "application/json")

    def options(self, *_args: Any) -> None:
        self.set_status(200)
        self.finish()

    def _unsupported(self, *_args: Any) -> None:
        self.send_error_status(StatusCode.REST_UNSUPPORTED_METHOD)

    put = delete = patch = head = _unsupported

    def send_error_status(self, code: StatusCode, details: str = "") -> None:
        """Finish with the JSON error of ``code``."""
        self.send_ovms_error(OvmsError(code, details))

    def send_ovms_error(self, error: OvmsError) -> None:
        """Finish with ``{"error": message}`` and the mapped HTTP status."""
        self.clear_header("inference-header-content-length")
        status = status_of(error)
        self.set_status(status)
        if status == 204:  # an empty demultiplexer answers No Content, which has no body
            self.clear_header("Content-Type")
            self.finish()
            return
        self.finish(error_body(error))

    def write_error(self, status_code: int, **kwargs: Any) -> None:
        exc_info = kwargs.get("exc_info")
        error = exc_info[1] if exc_info else None
        if isinstance(error, OvmsError):
            self.send_ovms_error(error)
            return
        if status_code == 400 and isinstance(error, tornado.web.HTTPError):
            self.finish(error_body(StatusCode.REST_INVALID_URL))
            return
        self.finish(orjson.dumps({"error": StatusCode.INTERNAL_ERROR.message}))

    def log_exception(self, typ: Any, value: Any, tb: Any) -> None:
        if isinstance(value, OvmsError):
            log.debug("%s %s: %s", self.request.method, self.request.path, value.message)
            return
        super().log_exception(typ, value, tb)


class InvalidUrlHandler(BaseHandler):
    """Any path that matches no route: 400 ``Invalid request URL``."""

    def get(self, *_args: Any) -> None:
        self.send_error_status(StatusCode.REST_INVALID_URL)

    post = get


class ServerLiveHandler(BaseHandler):
    def get(self) -> None:
        live = self.dataplane.live
        if not live:
            self.set_status(500)
        self.finish(orjson.dumps({"live": live}))

    post = BaseHandler._unsupported


class ServerReadyHandler(BaseHandler):
    def get(self) -> None:
        if not self.dataplane.ready:
            self.send_error_status(StatusCode.SERVER_NOT_READY)
            return
        self.finish(orjson.dumps({"ready": True}))

    post = BaseHandler._unsupported


class ServerMetadataHandler(BaseHandler):
    def get(self) -> None:
        self.finish(orjson.dumps(self.dataplane.server_metadata()))

    post = BaseHandler._unsupported


class ModelReadyHandler(BaseHandler):
    def get(self, name: str, version: str | None) -> None:
        try:
            ready = self.dataplane.model_ready(name, parse_version(version))
        except OvmsError:
            self.metrics.request_done(KSERVE, "REST", "ModelReady", name, None, False)
            raise
        self.metrics.request_done(KSERVE, "REST", "ModelReady", name, None, ready)
        if not ready:
            self.send_error_status(StatusCode.MODEL_VERSION_NOT_LOADED_YET)
            return
        self.finish()

    post = BaseHandler._unsupported


class ModelMetadataHandler(BaseHandler):
    def get(self, name: str, version: str | None) -> None:
        requested = parse_version(version)
        try:
            metadata = self.dataplane.model_metadata(name, requested)
        except OvmsError:
            self.metrics.request_done(KSERVE, "REST", "ModelMetadata", name, requested, False)
            raise
        self.metrics.request_done(KSERVE, "REST", "ModelMetadata", name, metadata.version, True)
        document: dict[str, Any] = {
            "name": metadata.name,
            "versions": metadata.versions,
            "platform": metadata.platform,
            "inputs": [
                {"name": t.name, "datatype": t.datatype, "shape": t.shape} for t in metadata.inputs
            ],
            "outputs": [
                {"name": t.name, "datatype": t.datatype, "shape": t.shape} for t in metadata.outputs
            ],
        }
        if metadata.rt_info:
            document["rt_info"] = {"model_info": metadata.rt_info}
        self.finish(orjson.dumps(document))

    post = BaseHandler._unsupported


class InferHandler(BaseHandler):
    async def post(self, name: str, version: str | None) -> None:
        started = perf_counter()
        requested = parse_version(version)
        body = self.request.body
        try:
            length = header_length(
                self.request.headers.get("Inference-Header-Content-Length"), len(body)
            )
            decoded = decode_infer_request(body, length, name, requested)
            result = await self.dataplane.infer(decoded.request)
            with result:
                payload, json_length = encode_infer_result(result, decoded)
        except OvmsError:
            self.metrics.request_done(KSERVE, "REST", "ModelInfer", name, requested, False)
            raise
        self.metrics.request_done(
            KSERVE, "REST", "ModelInfer", name, result.model_version, True, perf_counter() - started
        )
        if json_length is not None:
            self.set_header("Inference-Header-Content-Length", str(json_length))
        self.finish(payload)

    get = BaseHandler._unsupported


_VERSION = r"(?:/versions/([0-9]+))?"


def kserve_routes(context: ServerContext) -> list[tuple[str, type, dict[str, Any]]]:
    """The KServe v2 routes (SPEC 2.1 patterns)."""
    args = {"context": context}
    return [
        (r"/v2/health/live", ServerLiveHandler, args),
        (r"/v2/health/ready", ServerReadyHandler, args),
        (r"/v2", ServerMetadataHandler, args),
        (rf"/v2/models/([^/]+){_VERSION}/ready", ModelReadyHandler, args),
        (rf"/v2/models/([^/]+){_VERSION}/infer", InferHandler, args),
        (rf"/v2/models/([^/]+){_VERSION}/?", ModelMetadataHandler, args),
    ]
