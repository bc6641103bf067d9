"""The ``stateful`` run mode: each request runs inside its sequence, with its saved state."""

from __future__ import annotations

import asyncio

from ovms_core import (
    Call,
    CompiledVersion,
    InferRequest,
    InferResult,
    LoadedModel,
    RunMode,
    SingleRunner,
    prepare,
)
from ovms_runner_stateful.cleaner import CLEANER
from ovms_runner_stateful.control import read_sequence_control
from ovms_runner_stateful.sequences import SequenceManager

__all__ = ["StatefulMode", "StatefulRunner"]


class StatefulRunner:
    """The sequences of one compiled version; a reload starts with none."""

    def __init__(self, compiled: CompiledVersion) -> None:
        loaded = compiled.model
        settings = loaded.stateful
        assert settings is not None
        self.single = SingleRunner(compiled)
        label = f"model {loaded.name} version {loaded.version}"
        self.sequences = SequenceManager(settings.max_sequence_number, label)

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


class StatefulMode(RunMode):
    """Runs the versions of models configured with ``stateful: true``."""

    name = "stateful"

    def wanted(self, loaded: LoadedModel) -> bool:
        """Whether the model has sequence settings."""
        return loaded.stateful is not None

    def create(self, compiled: CompiledVersion, loop: asyncio.AbstractEventLoop) -> StatefulRunner:
        """A runner with no sequences, cleaned of idle ones when the model asks for it."""
        runner = StatefulRunner(compiled)
        settings = compiled.model.stateful
        if settings is not None and settings.idle_sequence_cleanup:
            CLEANER.track(runner.sequences)
        return runner
