"""A served pipeline: its definition state, the plan requests run on, and its API answers."""

from __future__ import annotations

import asyncio
import logging
from enum import Enum

from ovms_core.base.errors import OvmsError
from ovms_core.base.status_codes import StatusCode
from ovms_core.config.pipeline_config import NodeLibraryConfig, PipelineConfig
from ovms_core.models.version import LOADING_WAIT_SECONDS
from ovms_core.pipelines.binding import Plan
from ovms_core.pipelines.execution import Execution, Runtime
from ovms_core.pipelines.nodeset import NodeSet
from ovms_core.servables.model import tensor_metadata
from ovms_core.servables.types import (
    InferRequest,
    InferResult,
    ModelMetadata,
    OutputTensor,
    TensorMetadata,
    VersionStatus,
)
from ovms_core.servables.validation import prepare_inputs, select_outputs

__all__ = ["PIPELINE_VERSION", "Pipeline", "PipelineState"]

log = logging.getLogger("ovms.pipelines")
PIPELINE_VERSION = 1
"""Pipelines are not versioned; every API reports version 1."""


class PipelineState(Enum):
    """Definition states, with the OVMS names."""

    BEGIN = "BEGIN"
    AVAILABLE = "AVAILABLE"
    LOADING_PRECONDITION_FAILED = "LOADING_PRECONDITION_FAILED"
    RETIRED = "RETIRED"

    @property
    def reported(self) -> tuple[str, str]:
        """(version state, error code) as model status APIs report this state."""
        return _REPORTED[self]


_REPORTED = {
    PipelineState.BEGIN: ("LOADING", "OK"),
    PipelineState.AVAILABLE: ("AVAILABLE", "OK"),
    PipelineState.LOADING_PRECONDITION_FAILED: ("LOADING", "FAILED_PRECONDITION"),
    PipelineState.RETIRED: ("END", "OK"),
}


class Pipeline:
    """One pipeline name: requests run on ``plan`` with the driver nodes of ``nodes``."""

    def __init__(self, config: PipelineConfig, runtime: Runtime) -> None:
        self.config = config
        self.runtime = runtime
        self.libraries: tuple[NodeLibraryConfig, ...] = ()
        self.state = PipelineState.BEGIN
        self.error: OvmsError | None = None
        self.plan: Plan | None = None
        self.nodes: NodeSet | None = None
        self._changed = asyncio.Event()

    @property
    def name(self) -> str:
        """The served name."""
        return self.config.name

    def set_state(self, state: PipelineState, error: OvmsError | None = None) -> None:
        """Move to ``state`` (``error``: why the definition cannot be used)."""
        if state is not self.state:
            log.info("Pipeline: %s state changed to: %s", self.name, state.name)
        if error is not None:
            log.error("Pipeline: %s is not available: %s", self.name, error.message)
        self.state = state
        self.error = error
        self._changed.set()
        self._changed = asyncio.Event()

    @property
    def retired(self) -> bool:
        """Removed from the configuration."""
        return self.state is PipelineState.RETIRED

    def status(self, version: int | None = None) -> list[VersionStatus]:
        """The status model status APIs report (always version 1, whatever is asked)."""
        return [VersionStatus(PIPELINE_VERSION, *self.state.reported)]

    def _unavailable(self) -> OvmsError:
        if self.state is PipelineState.RETIRED:
            return OvmsError(StatusCode.PIPELINE_DEFINITION_NOT_LOADED_ANYMORE)
        details = self.error.message if self.error is not None else ""
        return OvmsError(StatusCode.PIPELINE_DEFINITION_NOT_LOADED_YET, details)

    def ready(self, version: int | None = None) -> bool:
        """Whether requests are served now."""
        return self.state is PipelineState.AVAILABLE

    def metadata(self, version: int | None = None) -> ModelMetadata:
        """Inputs and outputs as clients see them, without waiting."""
        plan = self.plan
        if self.state is not PipelineState.AVAILABLE or plan is None:
            raise self._unavailable()
        return ModelMetadata(
            name=self.name,
            versions=[str(PIPELINE_VERSION)],
            platform="OpenVINO",
            inputs=[tensor_metadata(i) for i in plan.inputs.values()],
            outputs=[tensor_metadata(o) for o in plan.outputs.values()],
            version=PIPELINE_VERSION,
        )

    async def _serving(self) -> tuple[Plan, NodeSet]:
        """The plan and nodes of the AVAILABLE definition, waiting while it is being built."""
        loop = asyncio.get_running_loop()
        deadline = loop.time() + LOADING_WAIT_SECONDS
        while True:
            if self.state is PipelineState.AVAILABLE:
                assert self.plan is not None and self.nodes is not None
                return self.plan, self.nodes
            if self.state is not PipelineState.BEGIN:
                raise self._unavailable()
            remaining = deadline - loop.time()
            try:
                await asyncio.wait_for(self._changed.wait(), max(remaining, 0))
            except TimeoutError:
                raise self._unavailable() from None

    async def request_inputs(self, version: int | None) -> tuple[int, list[TensorMetadata]]:
        """Version 1 and the pipeline's inputs (without waiting)."""
        return PIPELINE_VERSION, self.metadata().inputs

    async def infer(self, request: InferRequest) -> InferResult:
        """Validate the request against the pipeline inputs and run it."""
        plan, nodes = await self._serving()
        nodes.enter()
        try:
            names = list(plan.inputs)
            arrays = {names[index]: array for index, array in prepare_inputs(request, plan)}
            selected = select_outputs(request, plan)
            outputs = await Execution(plan, nodes, self.runtime, arrays).run()
        except BaseException:
            nodes.leave()
            raise
        results = [
            OutputTensor(info.name, info.datatype.kserve, outputs[info.name]) for info in selected
        ]
        return InferResult(self.name, PIPELINE_VERSION, request.id, results, nodes.leave)
