"""The source of model servables: the model manager's models, by name."""

from __future__ import annotations

from collections.abc import Iterable

from ovms_core.metrics import Metrics
from ovms_core.models.manager import ModelManager
from ovms_core.models.model import Model
from ovms_core.servables.model.servable import ModelServable, RunnerCache
from ovms_core.servables.statistics import Statistics

__all__ = ["ModelSource"]


class ModelSource:
    """Serves every model the manager knows; removed models answer as retired."""

    def __init__(self, manager: ModelManager, metrics: Metrics, statistics: Statistics) -> None:
        self.manager = manager
        self.metrics = metrics
        self.statistics = statistics
        self.runners = RunnerCache(manager.drivers)
        self._servables: dict[str, tuple[Model, ModelServable]] = {}

    def get(self, name: str) -> ModelServable | None:
        """The servable of the model ``name`` (one object per model, kept between calls)."""
        model = self.manager.get(name)
        if model is None:
            return None
        known = self._servables.get(name)
        if known is None or known[0] is not model:
            known = (model, ModelServable(model, self.runners, self.metrics, self.statistics))
            self._servables[name] = known
        return known[1]

    def names(self) -> Iterable[str]:
        """Names of every known model."""
        return self.manager.models.keys()
