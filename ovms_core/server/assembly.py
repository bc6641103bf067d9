"""Putting the servable kinds together behind one dataplane."""

from __future__ import annotations

from collections.abc import Sequence

from ovms_core.dataplane.dataplane import Dataplane
from ovms_core.metrics import Metrics
from ovms_core.models.manager import ModelManager
from ovms_core.servables.model import ModelSource
from ovms_core.servables.protocol import ServableSource
from ovms_core.servables.registry import Servables
from ovms_core.servables.statistics import Statistics

__all__ = ["build_dataplane"]


def build_dataplane(
    models: ModelManager | ModelSource, kinds: Sequence[ServableSource] = ()
) -> Dataplane:
    """A dataplane serving the models first, then each other kind in order.

    A bare ``ModelManager`` is served without metrics.
    """
    if isinstance(models, ModelManager):
        models = ModelSource(models, Metrics(), Statistics(models))
    return Dataplane(Servables([models, *kinds]), models.statistics)
