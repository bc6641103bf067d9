"""TensorFlow Serving: ``PredictionService`` (Predict, GetModelMetadata) and ``ModelService``."""

from __future__ import annotations

import grpc

from ovms_core import Dataplane, Metrics, OvmsError, StatusCode
from ovms_frontend_grpc._generated.tensorflow_serving.apis import (
    get_model_metadata_pb2,
    get_model_status_pb2,
    model_service_pb2,
    predict_pb2,
    prediction_service_pb2,
)
from ovms_frontend_grpc.counting import counted
from ovms_frontend_grpc.rpc import service_handler, unary_method
from ovms_frontend_grpc.tfs_codec import (
    SIGNATURE_DEF,
    decode_predict_request,
    encode_model_metadata,
    encode_model_status,
    encode_predict_response,
    requested_version,
)

__all__ = ["MODEL_SERVICE_NAME", "PREDICTION_SERVICE_NAME", "TfsService"]

PREDICTION_SERVICE_NAME = prediction_service_pb2.DESCRIPTOR.services_by_name[
    "PredictionService"
].full_name
TFS = "TensorFlowServing"
MODEL_SERVICE_NAME = model_service_pb2.DESCRIPTOR.services_by_name["ModelService"].full_name


class TfsService:
    """Predict, GetModelMetadata and GetModelStatus; other TFS RPCs answer ``UNIMPLEMENTED``."""

    def __init__(self, dataplane: Dataplane, metrics: Metrics) -> None:
        self.dataplane = dataplane
        self.metrics = metrics

    async def predict(self, request: predict_pb2.PredictRequest) -> predict_pb2.PredictResponse:
        with counted(self.metrics, TFS, "Predict", request.model_spec.name, timed=True) as call:
            decoded = decode_predict_request(request)
            call.version = decoded.model_version
            result = await self.dataplane.infer(decoded)
            with result:
                response = encode_predict_response(result)
            call.version = result.model_version
            return response

    async def get_model_metadata(
        self, request: get_model_metadata_pb2.GetModelMetadataRequest
    ) -> get_model_metadata_pb2.GetModelMetadataResponse:
        spec = request.model_spec
        with counted(self.metrics, TFS, "GetModelMetadata", spec.name) as call:
            if not request.HasField("model_spec"):
                raise OvmsError(StatusCode.MODEL_SPEC_MISSING)
            if list(request.metadata_field) != [SIGNATURE_DEF]:
                raise OvmsError(StatusCode.INVALID_SIGNATURE_DEF)
            metadata = self.dataplane.model_metadata(spec.name, requested_version(spec))
            response = encode_model_metadata(metadata)
            call.version = metadata.version
            return response

    async def get_model_status(
        self, request: get_model_status_pb2.GetModelStatusRequest
    ) -> get_model_status_pb2.GetModelStatusResponse:
        spec = request.model_spec
        with counted(self.metrics, TFS, "GetModelStatus", spec.name):
            if not request.HasField("model_spec"):
                raise OvmsError(StatusCode.MODEL_SPEC_MISSING)
            status = self.dataplane.model_status(spec.name, requested_version(spec))
        return encode_model_status(status)

    def handlers(self) -> list[grpc.GenericRpcHandler]:
        """The method handlers of both services."""
        return [
            service_handler(
                PREDICTION_SERVICE_NAME,
                {
                    "Predict": unary_method(
                        predict_pb2.PredictRequest, predict_pb2.PredictResponse, self.predict
                    ),
                    "GetModelMetadata": unary_method(
                        get_model_metadata_pb2.GetModelMetadataRequest,
                        get_model_metadata_pb2.GetModelMetadataResponse,
                        self.get_model_metadata,
                    ),
                },
            ),
            service_handler(
                MODEL_SERVICE_NAME,
                {
                    "GetModelStatus": unary_method(
                        get_model_status_pb2.GetModelStatusRequest,
                        get_model_status_pb2.GetModelStatusResponse,
                        self.get_model_status,
                    ),
                },
            ),
        ]
