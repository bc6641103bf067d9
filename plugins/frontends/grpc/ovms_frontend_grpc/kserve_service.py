"""``inference.GRPCInferenceService``: KServe v2 health, metadata and inference."""

from __future__ import annotations

import contextlib
import json
import logging
from collections.abc import AsyncIterator
from typing import Any

import grpc

from ovms_core import ConfigError, Dataplane, Metrics, ModelControl, ModelControlDisabled, OvmsError
from ovms_frontend_grpc._generated.ovms import grpc_predict_v2_pb2 as pb
from ovms_frontend_grpc.counting import counted
from ovms_frontend_grpc.errors import INTERNAL_ERROR
from ovms_frontend_grpc.kserve_codec import (
    decode_infer_request,
    encode_infer_response,
    encode_model_metadata,
    parse_version,
)
from ovms_frontend_grpc.rpc import (
    Malformed,
    RpcAbort,
    service_handler,
    stream_method,
    unary_method,
)
from ovms_frontend_grpc.stats_codec import encode_model_statistics
from ovms_frontend_grpc.wire import WiredInferRequest, wired_infer_request

__all__ = ["SERVICE_NAME", "KServeService"]

KSERVE = "KServe"
SERVICE_NAME = pb.DESCRIPTOR.services_by_name["GRPCInferenceService"].full_name
log = logging.getLogger("ovms.grpc")


class KServeService:
    """The RPCs OVMS implements, plus statistics and the repository index.

    Load and unload take both KServe's and tritonclient's requests (see the proto file).
    """

    def __init__(
        self, dataplane: Dataplane, metrics: Metrics, control: ModelControl | None = None
    ) -> None:
        self.dataplane = dataplane
        self.metrics = metrics
        self.control = control

    async def server_live(self, _request: pb.ServerLiveRequest) -> pb.ServerLiveResponse:
        return pb.ServerLiveResponse(live=self.dataplane.live)

    async def server_ready(self, _request: pb.ServerReadyRequest) -> pb.ServerReadyResponse:
        return pb.ServerReadyResponse(ready=self.dataplane.ready)

    async def server_metadata(
        self, _request: pb.ServerMetadataRequest
    ) -> pb.ServerMetadataResponse:
        metadata = self.dataplane.server_metadata()
        return pb.ServerMetadataResponse(name=metadata["name"], version=metadata["version"])

    async def model_ready(self, request: pb.ModelReadyRequest) -> pb.ModelReadyResponse:
        with counted(self.metrics, KSERVE, "ModelReady", request.name) as call:
            ready = self.dataplane.model_ready(request.name, parse_version(request.version))
            call.success = ready
        return pb.ModelReadyResponse(ready=ready)

    async def model_metadata(self, request: pb.ModelMetadataRequest) -> pb.ModelMetadataResponse:
        with counted(self.metrics, KSERVE, "ModelMetadata", request.name) as call:
            call.version = parse_version(request.version)
            metadata = self.dataplane.model_metadata(request.name, call.version)
            response = encode_model_metadata(metadata)
            call.version = metadata.version
            return response

    async def model_statistics(
        self, request: pb.ModelStatisticsRequest
    ) -> pb.ModelStatisticsResponse:
        stats = self.dataplane.model_statistics(
            request.name or None, parse_version(request.version)
        )
        return encode_model_statistics(stats)

    async def repository_index(
        self, request: pb.RepositoryIndexRequest
    ) -> pb.RepositoryIndexResponse:
        response = pb.RepositoryIndexResponse()
        for entry in self.control.index(request.ready) if self.control is not None else []:
            response.models.add(**entry)
        return response

    async def repository_model_load(
        self, request: pb.RepositoryModelLoadRequest
    ) -> pb.RepositoryModelLoadResponse:
        name = request.triton_model_name or request.model_name
        override: Any = None
        if "config" in request.parameters:
            text = request.parameters["config"].string_param
            try:
                override = json.loads(text) if text else None
            except ValueError as error:
                raise RpcAbort(
                    grpc.StatusCode.INVALID_ARGUMENT, f"Invalid model configuration: {error}"
                ) from None
        async with self._controlled():
            await self._control().load(name, override)
        return pb.RepositoryModelLoadResponse(model_name=name, isLoaded=True)

    async def repository_model_unload(
        self, request: pb.RepositoryModelUnloadRequest
    ) -> pb.RepositoryModelUnloadResponse:
        name = request.triton_model_name or request.model_name
        async with self._controlled():
            await self._control().unload(name)
        return pb.RepositoryModelUnloadResponse(model_name=name, isUnloaded=True)

    def _control(self) -> ModelControl:
        if self.control is None:
            raise RpcAbort(grpc.StatusCode.PERMISSION_DENIED, ModelControlDisabled.message)
        return self.control

    @contextlib.asynccontextmanager
    async def _controlled(self) -> AsyncIterator[None]:
        """Model control's own failures as gRPC status (OVMS errors pass through)."""
        try:
            yield
        except ModelControlDisabled as error:
            raise RpcAbort(grpc.StatusCode.PERMISSION_DENIED, str(error)) from None
        except ConfigError as error:
            raise RpcAbort(
                grpc.StatusCode.INVALID_ARGUMENT, f"Invalid model configuration: {error}"
            ) from None

    async def model_infer(
        self, wired: WiredInferRequest | pb.ModelInferRequest
    ) -> pb.ModelInferResponse:
        if isinstance(wired, WiredInferRequest):
            request, wire = wired.message, wired.wire
        else:
            request, wire = wired, None
        with counted(self.metrics, KSERVE, "ModelInfer", request.model_name, timed=True) as call:
            decoded = decode_infer_request(request, wire)
            call.version = decoded.model_version
            result = await self.dataplane.infer(decoded)
            with result:
                response = encode_infer_response(result)
            call.version = result.model_version
            return response

    async def model_stream_infer(
        self, requests: AsyncIterator[WiredInferRequest | pb.ModelInferRequest | Malformed]
    ) -> AsyncIterator[pb.ModelStreamInferResponse]:
        """One answer per request, in order; a failed request answers ``error_message``.

        Each message is counted by ``model_infer``, as a unary call is.
        """
        async for request in requests:
            if isinstance(request, Malformed):
                yield pb.ModelStreamInferResponse(error_message=request.message)
                continue
            try:
                response = await self.model_infer(request)
            except OvmsError as error:
                yield pb.ModelStreamInferResponse(error_message=error.message)
                continue
            except Exception:
                log.exception("gRPC ModelStreamInfer failed")
                yield pb.ModelStreamInferResponse(error_message=INTERNAL_ERROR[1])
                continue
            yield pb.ModelStreamInferResponse(infer_response=response)

    def handler(self) -> grpc.GenericRpcHandler:
        """The service's method handlers."""
        return service_handler(
            SERVICE_NAME,
            {
                "ServerLive": unary_method(
                    pb.ServerLiveRequest, pb.ServerLiveResponse, self.server_live
                ),
                "ServerReady": unary_method(
                    pb.ServerReadyRequest, pb.ServerReadyResponse, self.server_ready
                ),
                "ServerMetadata": unary_method(
                    pb.ServerMetadataRequest, pb.ServerMetadataResponse, self.server_metadata
                ),
                "ModelReady": unary_method(
                    pb.ModelReadyRequest, pb.ModelReadyResponse, self.model_ready
                ),
                "ModelMetadata": unary_method(
                    pb.ModelMetadataRequest, pb.ModelMetadataResponse, self.model_metadata
                ),
                "ModelInfer": unary_method(
                    pb.ModelInferRequest,
                    pb.ModelInferResponse,
                    self.model_infer,
                    wired_infer_request,
                ),
                "ModelStatistics": unary_method(
                    pb.ModelStatisticsRequest, pb.ModelStatisticsResponse, self.model_statistics
                ),
                "RepositoryIndex": unary_method(
                    pb.RepositoryIndexRequest, pb.RepositoryIndexResponse, self.repository_index
                ),
                "RepositoryModelLoad": unary_method(
                    pb.RepositoryModelLoadRequest,
                    pb.RepositoryModelLoadResponse,
                    self.repository_model_load,
                ),
                "RepositoryModelUnload": unary_method(
                    pb.RepositoryModelUnloadRequest,
                    pb.RepositoryModelUnloadResponse,
                    self.repository_model_unload,
                ),
                "ModelStreamInfer": stream_method(
                    pb.ModelInferRequest,
                    pb.ModelStreamInferResponse,
                    self.model_stream_infer,
                    wired_infer_request,
                ),
            },
        )
