"""Stateful models: each request runs inside its sequence, with the sequence's saved state."""

from __future__ import annotations

from ovms_core.models.compiled import CompiledVersion
from ovms_core.servables.model.runner import Call, SingleRunner, prepare
from ovms_core.servables.model.stateful.control import read_sequence_control
from ovms_core.servables.model.stateful.sequences import SequenceManager
from ovms_core.servables.types import InferRequest, InferResult

__all__ = ["StatefulRunner"]


class StatefulRunner:
    """The sequences of one compiled version; a reload starts with none."""

    def __init__(self, compiled: CompiledVersion) -> None:
        settings = compiled.model.stateful
        assert settings is not None
        self.single = SingleRunner(compiled)
        self.sequences = SequenceManager(settings)

    async def infer(self, request: InferRequest, call: Call) -> InferResult:
        """Read the sequence control, wait for the sequence's turn and run with its state."""
        control = read_sequence_control(request)
        prepared = await prepare(request, self.single.model, control.special_inputs)
        step = await self.sequences.begin(control)
        try:
            return await self.single.run(
                request, call, prepared, step, {"sequence_id": step.sequence_id}
            )
        finally:
            step.finish()
