"""The operations frontends expose: health, metadata, readiness and inference."""

from __future__ import annotations

import logging
from collections.abc import Callable
from time import perf_counter
from typing import Any

import numpy as np
import openvino as ov

from ovms_core.conversion import convert_inputs
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
from ovms_core.execution.batching import Batcher
from ovms_core.execution.input_tensor import input_tensor
from ovms_core.metrics import Metrics
from ovms_core.metrics.series import InferenceSeries
from ovms_core.metrics.statistics import Statistics, VersionStatistics
from ovms_core.models.manager import ModelManager
from ovms_core.models.model import Model
from ovms_core.models.states import VersionState
from ovms_core.models.tensor_info import TensorInfo
from ovms_core.models.version import ModelVersion
from ovms_core.pipelines.manager import PipelineManager
from ovms_core.pipelines.pipeline import Pipeline
from ovms_core.stateful.control import read_sequence_control
from ovms_core.stateful.sequences import SequenceStep
from ovms_core.status_codes import StatusCode
from ovms_core.version import SERVER_NAME, server_version

__all__ = ["Dataplane"]

log = logging.getLogger("ovms.dataplane")


class Dataplane:
    """Transport-neutral server operations; errors are ``OvmsError``."""

    def __init__(
        self,
        manager: ModelManager,
        *,
        metrics: Metrics | None = None,
        pipelines: PipelineManager | None = None,
    ) -> None:
        self.manager = manager
        self.metrics = metrics if metrics is not None else Metrics.disabled()
        self.pipelines = pipelines
        self.statistics = Statistics(manager)
        self.ready = False
        self.live = True

    def model_statistics(
        self, name: str | None = None, version: int | None = None
    ) -> list[dict[str, Any]]:
        """The statistics extension's ``model_stats``: every version, or those of ``name``.

        Raises ``OvmsError`` (``MODEL_NAME_MISSING``/``MODEL_VERSION_MISSING``).
        """
        return self.statistics.report(name, version)

    def server_metadata(self) -> dict[str, str]:
        """Name and version of the server."""
        return {"name": SERVER_NAME, "version": server_version()}

    def _model(self, name: str, unknown: StatusCode = StatusCode.MODEL_NAME_MISSING) -> Model:
        model = self.manager.get(name)
        if model is None:
            raise OvmsError(unknown)
        return model

    def _pipeline(self, name: str) -> Pipeline | None:
        """The pipeline ``name`` when no served model has that name (models come first)."""
        if self.pipelines is None:
            return None
        model = self.manager.get(name)
        if model is not None and not model.removed:
            return None
        return self.pipelines.get(name)

    def model_status(self, name: str, version: int | None) -> list[VersionStatus]:
        """Status of one version, or of every known version (END and failed ones too)."""
        pipeline = self._pipeline(name)
        if pipeline is not None:
            return [pipeline.status()]
        model = self._model(name)
        if version:
            found = model.versions.get(version)
            if found is None:
                raise OvmsError(StatusCode.MODEL_VERSION_MISSING)
            return [_status(found)]
        return [_status(v) for _, v in sorted(model.versions.items())]

    def config_status(self) -> dict[str, list[VersionStatus]]:
        """Status of every version of every servable, by name."""
        statuses = {
            name: [_status(v) for _, v in sorted(model.versions.items())]
            for name, model in self.manager.models.items()
        }
        if self.pipelines is not None:
            for name in self.pipelines.pipelines:
                pipeline = self._pipeline(name)
                if pipeline is not None:
                    statuses[name] = [pipeline.status()]
        return dict(sorted(statuses.items()))

    def model_ready(self, name: str, version: int | None) -> bool:
        """Whether the version (or the default) is AVAILABLE; unknown names raise."""
        pipeline = self._pipeline(name)
        if pipeline is not None:
            return pipeline.ready()
        model = self._model(name)
        if not version:
            return model.default is not None
        found = model.versions.get(version)
        if found is None:
            raise OvmsError(StatusCode.MODEL_VERSION_MISSING)
        return found.state == VersionState.AVAILABLE

    def model_metadata(self, name: str, version: int | None) -> ModelMetadata:
        """Inputs, outputs and versions of an AVAILABLE version, without waiting."""
        pipeline = self._pipeline(name)
        if pipeline is not None:
            return pipeline.metadata()
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

    async def request_inputs(
        self, name: str, version: int | None
    ) -> tuple[int, list[TensorMetadata]]:
        """The version a request would run on and its inputs, waiting while it loads.

        For APIs whose bodies are decoded by the servable's inputs (TFS REST); pass the
        version to ``infer`` so the request runs where it was decoded for.
        """
        pipeline = self._pipeline(name)
        if pipeline is not None:
            return 1, pipeline.metadata().inputs
        number, servable = await self._model(name).resolve(version)
        return number, [_tensor_metadata(i) for i in servable.model.inputs.values()]

    async def infer(self, request: InferRequest) -> InferResult:
        """Validate, run on a free infer request and return views of the outputs.

        A name that is not a model but a pipeline runs the pipeline. Stateful models run the
        request inside its sequence (``ovms_core.stateful``); BYTES inputs for numeric model
        inputs are converted first (``ovms_core.conversion``).
        """
        pipeline = self._pipeline(request.model_name)
        if pipeline is not None and self.pipelines is not None:
            return await self.pipelines.infer(pipeline, request)
        model = self._model(request.model_name, request.unknown_name_code)
        number, servable = await model.resolve(request.model_version)
        begun = perf_counter()
        timing = self.metrics.inference(request.model_name, number)
        stats = self.statistics.of(request.model_name, number)
        servable.enter()
        step: SequenceStep | None = None
        try:
            loaded = servable.model
            sequences = servable.sequences
            control = read_sequence_control(request) if sequences is not None else None
            request = await convert_inputs(request, loaded.inputs)
            optional = control.special_inputs if control is not None else 0
            arrays = prepare_inputs(request, loaded, optional)
            outputs = select_outputs(request, loaded)
            if servable.batcher is not None:
                return await _infer_batched(
                    servable.batcher,
                    request,
                    number,
                    outputs,
                    arrays,
                    (timing, stats, perf_counter() - begun),
                    servable.leave,
                )
            if sequences is not None and control is not None:
                step = await sequences.begin(control)
            pool = servable.pool
            queued = perf_counter()
            slot = await pool.acquire()
            waited = perf_counter() - queued
        except BaseException as error:
            if step is not None:
                step.finish()
            servable.leave()
            if isinstance(error, Exception):
                stats.failed(perf_counter() - begun)
            raise
        try:
            infer_request = slot.request
            tensors = []
            try:
                for index, array in arrays:
                    tensors.append(input_tensor(infer_request, index, array))
                    infer_request.set_input_tensor(index, tensors[-1])
                if step is not None:
                    step.restore(infer_request)
            except RuntimeError as error:
                raise OvmsError(StatusCode.OV_INTERNAL_INFERENCE_ERROR, str(error)) from None
            started = perf_counter()
            await pool.run(slot, tensors)
            if step is not None:
                step.complete(infer_request)
            ended = perf_counter()
            if timing is not None:
                timing.observe(waited, ended - started)
            results = [
                OutputTensor(info.name, info.datatype.kserve, _output_data(infer_request, info))
                for info in outputs
            ]
        except BaseException as error:
            if step is not None:
                step.finish()
            pool.release(slot)
            servable.leave()
            if isinstance(error, Exception):
                stats.failed(perf_counter() - begun)
            raise
        phases = (waited, started - begun - waited, ended - started)
        stats.succeeded(1, (*phases, perf_counter() - ended), True, 1)

        def release() -> None:
            pool.release(slot)
            servable.leave()

        parameters = {"sequence_id": step.sequence_id} if step is not None else None
        return InferResult(request.model_name, number, request.id, results, release, parameters)


async def _infer_batched(
    batcher: Batcher,
    request: InferRequest,
    number: int,
    outputs: list[TensorInfo],
    arrays: list[tuple[int, np.ndarray]],
    measures: tuple[InferenceSeries | None, VersionStatistics, float],
    leave: Callable[[], None],
) -> InferResult:
    """Run as part of a merged inference (``dynamic_batching``); outputs are views of it.

    ``measures``: the Prometheus series, the statistics and the seconds spent on the inputs.
    """
    timing, stats, compute_input = measures
    begun = perf_counter()
    try:
        done = await batcher.infer(arrays, outputs)
    except Exception:
        stats.failed(compute_input + perf_counter() - begun)
        raise
    ended = perf_counter()
    if timing is not None:
        timing.observe(done.waited, done.ran)
    results = [
        OutputTensor(info.name, info.datatype.kserve, data)
        for info, data in zip(outputs, done.outputs, strict=True)
    ]
    phases = (done.waited, compute_input, done.ran, perf_counter() - ended)
    stats.succeeded(done.size, phases, done.executed, done.batch_size)

    def release() -> None:
        done.release()
        leave()

    return InferResult(request.model_name, number, request.id, results, release, None)


def _output_data(infer_request: ov.InferRequest, info: TensorInfo) -> np.ndarray:
    tensor = infer_request.get_output_tensor(info.index)
    if info.datatype.kserve == "BYTES":
        # The bytes themselves, not decoded text, in the tensor's shape.
        return np.array(tensor.bytes_data, dtype=object).reshape(tuple(tensor.shape))
    data: np.ndarray = tensor.data
    return data


def _status(version: ModelVersion) -> VersionStatus:
    code = "OK" if version.status is StatusCode.OK else version.status.grpc_code
    return VersionStatus(version.number, version.state.name, code)


def _tensor_metadata(info: TensorInfo) -> TensorMetadata:
    return TensorMetadata(info.name, info.datatype.kserve, info.metadata_shape, info.layout)
