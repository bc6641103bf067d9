"""The TensorFlow-Serving REST API (``/v1/models``): model status, metadata and predict."""

from __future__ import annotations

from time import perf_counter
from typing import Any

from ovms_core import InferRequest, OvmsError, ServerContext, StatusCode
from ovms_frontend_rest.handlers import BaseHandler, parse_version
from ovms_frontend_rest.tfs_codec import decode_predict, encode_predict
from ovms_frontend_rest.tfs_documents import model_metadata_json, model_status_json

__all__ = ["tfs_routes"]

TFS = "TensorFlowServing"


class TfsModelHandler(BaseHandler):
    """``GET /v1/models/{m}[/versions/{v}|/labels/{l}][/metadata]`` (labels are ignored)."""

    def get(self, name: str | None, version: str | None, metadata: str | None) -> None:
        if name is None:
            raise OvmsError(StatusCode.MODEL_NAME_MISSING)
        requested = parse_version(version)
        method = "GetModelMetadata" if metadata else "GetModelStatus"
        served = requested
        try:
            if metadata:
                found = self.dataplane.model_metadata(name, requested)
                served = found.version
                body = model_metadata_json(found)
            else:
                body = model_status_json(self.dataplane.model_status(name, requested))
        except OvmsError:
            self.metrics.request_done(TFS, "REST", method, name, requested, False)
            raise
        self.metrics.request_done(TFS, "REST", method, name, served, True)
        self.finish(body)

    post = BaseHandler._unsupported


class TfsPredictHandler(BaseHandler):
    """``POST /v1/models/{m}[/versions/{v}|/labels/{l}]:predict``.

    ``:classify`` and ``:regress`` are not implemented (404), as in OVMS.
    """

    async def post(self, name: str, version: str | None, verb: str) -> None:
        if verb != "predict":
            raise OvmsError(StatusCode.REST_NOT_FOUND)
        started = perf_counter()
        served = parse_version(version)
        try:
            served, inputs = await self.dataplane.request_inputs(name, served)
            decoded = decode_predict(self.request.body, inputs)
            request = InferRequest(name, served, decoded.inputs, ovms_precision_names=True)
            result = await self.dataplane.infer(request)
            with result:
                body = encode_predict(result, decoded.row)
        except OvmsError:
            self.metrics.request_done(TFS, "REST", "Predict", name, served, False)
            raise
        elapsed = perf_counter() - started
        self.metrics.request_done(TFS, "REST", "Predict", name, served, True, elapsed)
        self.finish(body)

    get = BaseHandler._unsupported


_PREFIX = r"(?:.?)/v1/models"
_VERSION_OR_LABEL = r"(?:/versions/(\d+)|/labels/\w+)?"


def tfs_routes(context: ServerContext) -> list[tuple[str, type, dict[str, Any]]]:
    """The TFS REST routes (SPEC 2.1 patterns; the label group is matched, not captured)."""
    args = {"context": context}
    return [
        (
            rf"{_PREFIX}/([^/:]+){_VERSION_OR_LABEL}:(classify|regress|predict)",
            TfsPredictHandler,
            args,
        ),
        (rf"{_PREFIX}(?:/([^/:]+))?{_VERSION_OR_LABEL}(?:/(metadata))?", TfsModelHandler, args),
    ]
