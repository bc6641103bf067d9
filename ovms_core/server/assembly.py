"""Putting the servable kinds together behind one dataplane."""

from __future__ import annotations

import asyncio
from collections.abc import Sequence

import openvino as ov

from ovms_core.config.server_settings import ServerSettings
from ovms_core.dataplane.dataplane import Dataplane
from ovms_core.metrics import Metrics
from ovms_core.models.manager import ModelManager
from ovms_core.plugins.drivers import DriverLoader
from ovms_core.servables.model import ModelSource
from ovms_core.servables.protocol import ServableSource
from ovms_core.servables.registry import Servables
from ovms_core.servables.statistics import Statistics
from ovms_core.server.context import ServerContext
from ovms_core.server.hooks import Hooks

__all__ = ["build_dataplane", "standalone_context"]


def build_dataplane(
    models: ModelManager | ModelSource, kinds: Sequence[ServableSource] = ()
) -> Dataplane:
    """A dataplane serving the models first, then each other kind in order.

    A bare ``ModelManager`` is served without metrics.
    """
    if isinstance(models, ModelManager):
        models = ModelSource(models, Metrics(), Statistics())
    return Dataplane(Servables([models, *kinds]), models.statistics)


def standalone_context(settings: ServerSettings) -> ServerContext:
    """A context on the running loop that serves no model and calls no hook plugin.

    For a frontend started on its own, outside ``ovms serve`` (contract tests, tools).
    """
    hooks = Hooks(load_entry_points=False)

    async def reload() -> None:
        return None

    return ServerContext(
        settings=settings,
        dataplane=build_dataplane(ModelManager(ov.Core(), DriverLoader(), hooks)),
        hooks=hooks,
        loop=asyncio.get_running_loop(),
        reload_config=reload,
    )
