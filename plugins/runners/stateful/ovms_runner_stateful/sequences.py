"""Sequences of one stateful model version: ids, limits, locks and saved OpenVINO state.

Each request of a sequence runs on any free infer request of the version's pool: the sequence's
saved variable state is written into that infer request before inference (or the state is reset
on a sequence start) and read back after it. Requests of one sequence wait for each other on the
sequence's lock; different sequences run concurrently on different infer requests. Everything
here runs on the event loop, so the bookkeeping needs no thread locks.
"""

from __future__ import annotations

import asyncio

import numpy as np
import openvino as ov

from ovms_core import OvmsError, StatusCode
from ovms_runner_stateful.control import SequenceControl

__all__ = ["Sequence", "SequenceManager", "SequenceStep"]


class Sequence:
    """One sequence: its lock, its last saved state and the flags the cleaner reads."""

    __slots__ = ("id", "idle", "lock", "removed", "state", "terminated")

    def __init__(self, sequence_id: int) -> None:
        self.id = sequence_id
        self.lock = asyncio.Lock()
        self.state: dict[str, np.ndarray] | None = None
        """Variable values by name after the last request; None: the model's initial state."""
        self.idle = False
        self.terminated = False
        self.removed = False

    def restore(self, request: ov.InferRequest) -> None:
        """Put this sequence's state into ``request`` (the initial state when none is saved)."""
        saved = self.state
        if saved is None:
            request.reset_state()
            return
        for variable in request.query_state():
            variable.state = ov.Tensor(saved[variable.name], shared_memory=True)

    def save(self, request: ov.InferRequest) -> None:
        """Copy the variable state of ``request`` after an inference of this sequence."""
        self.state = {v.name: np.array(v.state.data, copy=True) for v in request.query_state()}
        self.idle = False


class SequenceStep:
    """One request's hold on its sequence, from the lock until the state is saved."""

    __slots__ = ("_done", "_manager", "control", "sequence")

    def __init__(self, manager: SequenceManager, sequence: Sequence, control: SequenceControl):
        self._manager = manager
        self.sequence = sequence
        self.control = control
        self._done = False

    @property
    def sequence_id(self) -> int:
        """The id of the sequence (chosen by the server on a start without one)."""
        return self.sequence.id

    def restore(self, request: ov.InferRequest) -> None:
        """Prepare ``request`` for this step: reset on start, else the sequence's state."""
        if self.control.start:
            request.reset_state()
        else:
            self.sequence.restore(request)

    def complete(self, request: ov.InferRequest) -> None:
        """After a successful inference: save the state, or drop the sequence on its end."""
        if not self.control.end:
            self.sequence.save(request)
        self.finish()

    def finish(self) -> None:
        """Release the sequence (idempotent); a terminated sequence is removed."""
        if self._done:
            return
        self._done = True
        if self.control.end:
            self._manager.remove(self.sequence)
        self.sequence.lock.release()


class SequenceManager:
    """The sequences of one loaded model version (``label`` names it in logs)."""

    def __init__(self, max_sequence_number: int = 500, label: str = "") -> None:
        self.max_sequence_number = max_sequence_number
        self.label = label
        self.sequences: dict[int, Sequence] = {}
        self._next_id = 1

    async def begin(self, control: SequenceControl) -> SequenceStep:
        """Create, find or terminate the sequence ``control`` names and wait for its lock."""
        sequence = self._process(control)
        await sequence.lock.acquire()
        if sequence.removed:
            sequence.lock.release()
            raise OvmsError(StatusCode.SEQUENCE_MISSING)
        return SequenceStep(self, sequence, control)

    def _process(self, control: SequenceControl) -> Sequence:
        if control.start:
            sequence = self._create(control.sequence_id)
            if control.end:
                sequence.terminated = True
            return sequence
        found = self.sequences.get(control.sequence_id)
        if found is None or found.terminated:
            raise OvmsError(StatusCode.SEQUENCE_MISSING)
        if control.end:
            found.terminated = True
        return found

    def _create(self, sequence_id: int) -> Sequence:
        if len(self.sequences) >= self.max_sequence_number:
            raise OvmsError(StatusCode.MAX_SEQUENCE_NUMBER_REACHED)
        if sequence_id == 0:
            sequence_id = self._unused_id()
        existing = self.sequences.get(sequence_id)
        if existing is not None:
            if existing.terminated:
                raise OvmsError(StatusCode.SEQUENCE_TERMINATED)
            raise OvmsError(StatusCode.SEQUENCE_ALREADY_EXISTS)
        sequence = Sequence(sequence_id)
        self.sequences[sequence_id] = sequence
        return sequence

    def _unused_id(self) -> int:
        while self._next_id in self.sequences:
            self._next_id += 1
        return self._next_id

    def remove(self, sequence: Sequence) -> None:
        """Forget ``sequence``; requests waiting for it get ``SEQUENCE_MISSING``."""
        sequence.removed = True
        if self.sequences.get(sequence.id) is sequence:
            del self.sequences[sequence.id]

    def remove_idle(self) -> int:
        """One cleaner pass: drop sequences idle since the last pass, mark the others idle.

        Sequences in use (locked) or being terminated are left alone. Returns how many were
        removed.
        """
        removed = 0
        for sequence in list(self.sequences.values()):
            if sequence.terminated or sequence.lock.locked():
                continue
            if sequence.idle:
                self.remove(sequence)
                removed += 1
            else:
                sequence.idle = True
        return removed
