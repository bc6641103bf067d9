"""The model kind: a served model's versions behind the servable protocol."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from time import perf_counter
from weakref import WeakKeyDictionary

from ovms_core.base.errors import OvmsError
from ovms_core.base.status_codes import StatusCode
from ovms_core.config.serving_config import ServingConfig
from ovms_core.execution.tensor_info import TensorInfo
from ovms_core.metrics import Metrics
from ovms_core.models.compiled import CompiledVersion
from ovms_core.models.model import Model
from ovms_core.models.states import VersionState
from ovms_core.models.version import ModelVersion
from ovms_core.plugins.drivers import DriverLoader
from ovms_core.servables.model.modes import RunModes
from ovms_core.servables.model.runner import Call, Runner
from ovms_core.servables.statistics import Statistics
from ovms_core.servables.types import (
    InferRequest,
    InferResult,
    ModelMetadata,
    TensorMetadata,
    VersionStatus,
)

__all__ = ["Forward", "ForwardedRunner", "ModelServable", "RunnerCache", "tensor_metadata"]

Forward = Callable[[InferRequest, Callable[[], None]], Awaitable[InferResult]]
"""Runs a request elsewhere; the result's ``release`` calls the given callable."""


class ForwardedRunner:
    """A stateful version whose sequences live in another process (``forward_stateful``)."""

    def __init__(self, forward: Forward) -> None:
        self.forward = forward

    async def infer(self, request: InferRequest, call: Call) -> InferResult:
        """Run ``request`` where its sequence is."""
        return await self.forward(request, call.leave)


class RunnerCache:
    """The runner of each compiled version, made on its first request; gone with the version.

    Runners must not reference their compiled version, or the weak keys would never die.
    """

    def __init__(self, drivers: DriverLoader) -> None:
        self._runners: WeakKeyDictionary[CompiledVersion, Runner] = WeakKeyDictionary()
        self.modes = RunModes(drivers)
        self.forward_stateful: Forward | None = None
        """Where stateful versions run when not here (set by ``ovms-workers``); None: here."""

    def check(self, config: ServingConfig) -> None:
        """Load the run modes ``config`` asks for (``stateful``, ``dynamic_batching``)."""
        self.modes.check(config)

    def get(self, compiled: CompiledVersion) -> Runner:
        """The runner for ``compiled``: from the run mode its model asks for, else single."""
        runner = self._runners.get(compiled)
        if runner is None:
            if compiled.model.stateful is not None and self.forward_stateful is not None:
                runner = ForwardedRunner(self.forward_stateful)
            else:
                runner = self.modes.runner(compiled)
            self._runners[compiled] = runner
        return runner


class ModelServable:
    """One served model: metadata and status of its versions, and inference on them."""

    __slots__ = ("metrics", "model", "runners", "statistics")

    def __init__(
        self, model: Model, runners: RunnerCache, metrics: Metrics, statistics: Statistics
    ) -> None:
        self.model = model
        self.runners = runners
        self.metrics = metrics
        self.statistics = statistics

    @property
    def name(self) -> str:
        """The served name."""
        return self.model.name

    @property
    def retired(self) -> bool:
        """The model was removed from the configuration."""
        return self.model.removed

    def status(self, version: int | None) -> list[VersionStatus]:
        """One version's status, or every known version's (END and failed ones too)."""
        versions = self.model.versions
        if version:
            found = versions.get(version)
            if found is None:
                raise OvmsError(StatusCode.MODEL_VERSION_MISSING)
            return [_status(found)]
        return [_status(v) for _, v in sorted(versions.items())]

    def ready(self, version: int | None) -> bool:
        """Whether the version (or the default) is AVAILABLE."""
        if not version:
            return self.model.default is not None
        found = self.model.versions.get(version)
        if found is None:
            raise OvmsError(StatusCode.MODEL_VERSION_MISSING)
        return found.state == VersionState.AVAILABLE

    def metadata(self, version: int | None) -> ModelMetadata:
        """Inputs, outputs and versions of an AVAILABLE version, without waiting."""
        found = self.model.find(version)
        compiled = found.compiled
        if found.state != VersionState.AVAILABLE or compiled is None:
            if found.state >= VersionState.UNLOADING:
                raise OvmsError(StatusCode.MODEL_VERSION_NOT_LOADED_ANYMORE)
            raise OvmsError(StatusCode.MODEL_VERSION_NOT_LOADED_YET)
        loaded = compiled.model
        return ModelMetadata(
            name=self.model.name,
            versions=[str(v) for v in self.model.available_versions()],
            platform="OpenVINO",
            inputs=[tensor_metadata(i) for i in loaded.inputs.values()],
            outputs=[tensor_metadata(o) for o in loaded.outputs.values()],
            version=found.number,
            rt_info=loaded.rt_info,
        )

    async def request_inputs(self, version: int | None) -> tuple[int, list[TensorMetadata]]:
        """The version a request runs on and its inputs, waiting while it loads."""
        number, compiled = await self.model.resolve(version)
        return number, [tensor_metadata(i) for i in compiled.model.inputs.values()]

    async def infer(self, request: InferRequest) -> InferResult:
        """Run ``request`` on the version it names, the way that version runs."""
        number, compiled = await self.model.resolve(request.model_version)
        name = self.model.name
        call = Call(
            number,
            self.metrics.inference(name, number),
            self.statistics.of(name, number),
            perf_counter(),
            compiled.leave,
        )
        compiled.enter()
        try:
            return await self.runners.get(compiled).infer(request, call)
        except BaseException as error:
            compiled.leave()
            if isinstance(error, Exception):
                call.stats.failed(perf_counter() - call.begun)
            raise


def _status(version: ModelVersion) -> VersionStatus:
    code = "OK" if version.status is StatusCode.OK else version.status.grpc_code
    return VersionStatus(version.number, version.state.name, code)


def tensor_metadata(info: TensorInfo) -> TensorMetadata:
    """The metadata clients see of a model or pipeline tensor."""
    return TensorMetadata(info.name, info.datatype.kserve, info.metadata_shape, info.layout)
