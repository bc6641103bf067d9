"""The stateful settings of a model (``stateful``, ``max_sequence_number``...)."""

from __future__ import annotations

from dataclasses import dataclass

from ovms_core.config.model_config import ModelConfig

__all__ = ["SequenceSettings"]


@dataclass(frozen=True)
class SequenceSettings:
    """The stateful settings of a model (``None`` from ``of`` for stateless models)."""

    max_sequence_number: int = 500
    idle_sequence_cleanup: bool = True
    low_latency_transformation: bool = False

    @classmethod
    def of(cls, config: ModelConfig) -> SequenceSettings | None:
        """The settings of ``config``, or None when the model is not stateful."""
        if not config.stateful:
            return None
        return cls(
            config.max_sequence_number,
            config.idle_sequence_cleanup,
            config.low_latency_transformation,
        )
