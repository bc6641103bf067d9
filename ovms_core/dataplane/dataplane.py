"""The operations frontends expose: health, metadata, readiness and inference."""

from __future__ import annotations

import logging

import numpy as np
import openvino as ov

from ovms_core.dataplane.types import (
    InferRequest,
    InferResult,
    ModelMetadata,
    OutputTensor,
    TensorMetadata,
    VersionStatus,
)
from ovms_core.dataplane.validation import prepare_inputs, select_outputs
from ovms_core.errors import OvmsError
from ovms_core.models.manager import ModelManager
from ovms_core.models.model import Model
from ovms_core.models.states import VersionState
from ovms_core.models.tensor_info import TensorInfo
from ovms_core.models.version import ModelVersion
from ovms_core.status_codes import StatusCode
from ovms_core.version import SERVER_NAME, server_version

__all__ = ["Dataplane"]

log = logging.getLogger("ovms.dataplane")


class Dataplane:
    """Transport-neutral server operations; errors are ``OvmsError``."""

    def __init__(self, manager: ModelManager) -> None:
        self.manager = manager
        self.ready = False
        self.live = True

    def server_metadata(self) -> dict[str, str]:
        """Name and version of the server."""
        return {"name": SERVER_NAME, "version": server_version()}

    def _model(self, name: str, unknown: StatusCode = StatusCode.MODEL_NAME_MISSING) -> Model:
        model = self.manager.get(name)
        if model is None:
            raise OvmsError(unknown)
        return model

    def model_status(self, name: str, version: int | None) -> list[VersionStatus]:
        """Status of one version, or of every known version (END and failed ones too)."""
        model = self._model(name)
        if version:
            found = model.versions.get(version)
            if found is None:
                raise OvmsError(StatusCode.MODEL_VERSION_MISSING)
            return [_status(found)]
        return [_status(v) for _, v in sorted(model.versions.items())]

    def config_status(self) -> dict[str, list[VersionStatus]]:
        """Status of every version of every servable, by name."""
        return {
            name: [_status(v) for _, v in sorted(model.versions.items())]
            for name, model in sorted(self.manager.models.items())
        }

    def model_ready(self, name: str, version: int | None) -> bool:
        """Whether the version (or the default) is AVAILABLE; unknown names raise."""
        model = self._model(name)
        if not version:
            return model.default is not None
        found = model.versions.get(version)
        if found is None:
            raise OvmsError(StatusCode.MODEL_VERSION_MISSING)
        return found.state == VersionState.AVAILABLE

    def model_metadata(self, name: str, version: int | None) -> ModelMetadata:
        """Inputs, outputs and versions of an AVAILABLE version, without waiting."""
        model = self._model(name)
        found = model.find(version)
        servable = found.servable
        if found.state != VersionState.AVAILABLE or servable is None:
            if found.state >= VersionState.UNLOADING:
                raise OvmsError(StatusCode.MODEL_VERSION_NOT_LOADED_ANYMORE)
            raise OvmsError(StatusCode.MODEL_VERSION_NOT_LOADED_YET)
        loaded = servable.model
        return ModelMetadata(
            name=model.name,
            versions=[str(v) for v in model.available_versions()],
            platform="OpenVINO",
            inputs=[_tensor_metadata(i) for i in loaded.inputs.values()],
            outputs=[_tensor_metadata(o) for o in loaded.outputs.values()],
            version=found.number,
            rt_info=loaded.rt_info,
        )

    async def infer(self, request: InferRequest) -> InferResult:
        """Validate, run on a free infer request and return views of the outputs."""
        model = self._model(request.model_name, request.unknown_name_code)
        number, servable = await model.resolve(request.model_version)
        servable.enter()
        try:
            loaded = servable.model
            arrays = prepare_inputs(request, loaded)
            outputs = select_outputs(request, loaded)
            pool = servable.pool
            slot = await pool.acquire()
        except BaseException:
            servable.leave()
            raise
        try:
            infer_request = slot.request
            tensors = []
            try:
                for index, array in arrays:
                    tensors.append(_input_tensor(infer_request, index, array))
                    infer_request.set_input_tensor(index, tensors[-1])
            except RuntimeError as error:
                raise OvmsError(StatusCode.OV_INTERNAL_INFERENCE_ERROR, str(error)) from None
            await pool.run(slot, tensors)
            results = [
                OutputTensor(info.name, info.datatype.kserve, _output_data(infer_request, info))
                for info in outputs
            ]
        except BaseException:
            pool.release(slot)
            servable.leave()
            raise

        def release() -> None:
            pool.release(slot)
            servable.leave()

        return InferResult(request.model_name, number, request.id, results, release)


def _input_tensor(infer_request: ov.InferRequest, index: int, array: np.ndarray) -> ov.Tensor:
    """A tensor sharing ``array``; 16-bit words for a bf16 input are typed bf16 (numpy has none).

    Strings (BYTES, an object array of ``bytes``) are copied: OpenVINO cannot share them.
    """
    if array.dtype == object:
        return ov.Tensor(array.astype(np.bytes_))
    if array.dtype == np.uint16:
        port_type = infer_request.model_inputs[index].get_element_type()
        if port_type == ov.Type.bf16:
            return ov.Tensor(array, list(array.shape), port_type)
    return ov.Tensor(array, shared_memory=True)


def _output_data(infer_request: ov.InferRequest, info: TensorInfo) -> np.ndarray:
    tensor = infer_request.get_output_tensor(info.index)
    if info.datatype.kserve == "BYTES":
        strings: np.ndarray = tensor.bytes_data.astype(object)  # the bytes, not decoded text
        return strings
    data: np.ndarray = tensor.data
    return data


def _status(version: ModelVersion) -> VersionStatus:
    code = "OK" if version.status is StatusCode.OK else version.status.grpc_code
    return VersionStatus(version.number, version.state.name, code)


def _tensor_metadata(info: TensorInfo) -> TensorMetadata:
    return TensorMetadata(info.name, info.datatype.kserve, info.metadata_shape, info.layout)
