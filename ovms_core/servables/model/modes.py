"""Run modes: ways other than alone that a model's requests run, from ``ovms.runners`` plugins.

A version's requests run alone on a pooled infer request (``SingleRunner``) unless an installed
run mode wants its model. The kernel parses the settings and loads the model for the in-tree
modes (``stateful``: sequences, ``batching``: ``dynamic_batching``); their runners come from
``ovms-runner-stateful`` and ``ovms-runner-batching``.
"""

from __future__ import annotations

import asyncio
from abc import ABC, abstractmethod
from typing import ClassVar

from ovms_core.base.errors import OvmsError
from ovms_core.base.status_codes import StatusCode
from ovms_core.config.model_config import ModelConfig
from ovms_core.config.serving_config import ServingConfig
from ovms_core.models.compiled import CompiledVersion
from ovms_core.models.loader import LoadedModel
from ovms_core.plugins.drivers import KNOWN_DISTRIBUTIONS, DriverLoader
from ovms_core.plugins.errors import PluginError
from ovms_core.servables.model.runner import Runner, SingleRunner

__all__ = ["KIND", "RunMode", "RunModes", "requested_modes"]

KIND = "runner"
"""The driver kind of run modes (entry-point group ``ovms.runners``)."""


class RunMode(ABC):
    """A way to run a model's requests; registered in ``ovms.runners`` under ``name``.

    The class is instantiated with no arguments, once per server, when a runner is first made.
    """

    name: ClassVar[str]
    """The entry-point name; ``stateful`` and ``batching`` are the modes the kernel configures."""

    @abstractmethod
    def wanted(self, loaded: LoadedModel) -> bool:
        """Whether the versions of this loaded model run this way."""

    @abstractmethod
    def create(self, compiled: CompiledVersion, loop: asyncio.AbstractEventLoop) -> Runner:
        """The runner of ``compiled``, made on the event loop at its first request.

        Runners are cached weakly by their compiled version: keep ``compiled.model`` and
        ``compiled.pool``, never ``compiled`` itself.
        """


def requested_modes(config: ModelConfig) -> list[str]:
    """The run modes a model's settings ask for: ``stateful``, ``batching``."""
    return [
        name
        for name, asked in (
            ("stateful", config.stateful),
            ("batching", config.dynamic_batching is not None),
        )
        if asked
    ]


class RunModes:
    """The installed run modes (imported on first use) and the runner each version gets."""

    def __init__(self, drivers: DriverLoader) -> None:
        self.drivers = drivers
        self._modes: list[RunMode] | None = None

    def check(self, config: ServingConfig) -> None:
        """Load the run modes ``config``'s models ask for; raises ``PluginError`` naming one."""
        for model in config.models:
            for name in requested_modes(model):
                try:
                    self.drivers.get(KIND, name)
                except PluginError as error:
                    raise type(error)(f"Model {model.name} runs {name}: {error}") from None

    def runner(self, compiled: CompiledVersion) -> Runner:
        """The runner of ``compiled``: the first installed mode that wants it, else alone."""
        loaded = compiled.model
        for mode in self._installed():
            if mode.wanted(loaded):
                return mode.create(compiled, asyncio.get_running_loop())
        for name, asked in (("stateful", loaded.stateful), ("batching", loaded.batching)):
            if asked is not None:
                raise OvmsError(
                    StatusCode.NOT_IMPLEMENTED,
                    f"model {loaded.name} runs {name}, which needs "
                    f"{KNOWN_DISTRIBUTIONS[KIND][name]} installed",
                )
        return SingleRunner(compiled)

    def _installed(self) -> list[RunMode]:
        if self._modes is None:
            self._modes = [self.drivers.get(KIND, name) for name in self.drivers.installed(KIND)]
        return self._modes
