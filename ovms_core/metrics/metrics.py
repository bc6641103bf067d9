"""What frontends and the model kind record, and how a metrics plugin is plugged in.

The kernel records through ``Metrics``; this base class records nothing, so with metrics off a
request costs one method call that returns at once. A metrics plugin (``ovms-metrics`` for
Prometheus) registers a ``MetricsDriver`` in the ``ovms.metrics`` entry-point group; with
``--metrics_enable`` the server asks it for the ``Metrics`` it uses instead::

    metrics = Metrics.of(context)            # once, when the frontend starts
    metrics.request_done("TensorFlowServing", "REST", "Predict", name, version, ok, seconds)
"""

from __future__ import annotations

import warnings
from abc import ABC, abstractmethod
from collections.abc import Awaitable, Callable
from typing import TYPE_CHECKING, Protocol

if TYPE_CHECKING:
    import pluggy

    from ovms_core.base.services import HasServices
    from ovms_core.config.server_settings import ServerSettings
    from ovms_core.metrics.served import ServedVersions

__all__ = ["InferenceObserver", "Metrics", "MetricsDriver"]


class InferenceObserver(Protocol):
    """Records the inferences of one model version."""

    def observe(self, wait_seconds: float, inference_seconds: float) -> None:
        """One inference: time waiting for a free infer request, then running."""


class Metrics:
    """The server's metrics; this base records nothing and serves no ``/metrics``."""

    aggregate: Callable[[bytes], Awaitable[bytes]] | None = None
    """Set by a plugin (``ovms-workers``): adds other processes' ``/metrics`` texts to this one."""

    @staticmethod
    def of(context: HasServices) -> Metrics:
        """The server's metrics (``context.services["metrics"]``), or ones that record nothing."""
        found = context.services.get("metrics")
        return found if isinstance(found, Metrics) else _OFF

    @classmethod
    def disabled(cls) -> Metrics:
        """Deprecated (one release): ``Metrics()`` records nothing."""
        warnings.warn(
            "Metrics.disabled() is deprecated: Metrics() records nothing", DeprecationWarning, 2
        )
        return cls()

    @property
    def enabled(self) -> bool:
        """Whether ``/metrics`` is served."""
        return False

    def request_done(
        self,
        api: str,
        interface: str,
        method: str,
        name: str,
        version: int | None,
        ok: bool,
        seconds: float | None = None,
    ) -> None:
        """Count one answered call (and its processing time, for successful inferences).

        :param api: ``KServe`` or ``TensorFlowServing``.
        :param interface: ``REST`` or ``gRPC``.
        :param method: ``ModelInfer``, ``ModelMetadata``, ``ModelReady``, ``Predict``,
            ``GetModelMetadata`` or ``GetModelStatus``.
        :param name: the servable name from the request.
        :param version: the version that served the call; None or 0 when unknown (a failure
            before a version was chosen). Ignored for ``GetModelStatus`` and ``ModelReady``.
        :param ok: whether the call succeeded.
        :param seconds: time from receiving the request to having the answer ready.
        """

    def inference(self, name: str, version: int) -> InferenceObserver | None:
        """What records the inferences of a served version (None: nothing records them)."""
        return None

    def exposition(self) -> bytes | None:
        """The text of this process for ``GET /metrics`` (None when metrics are off)."""
        return None

    async def scrape(self) -> bytes | None:
        """The ``GET /metrics`` answer: ``exposition``, summed over worker processes."""
        own = self.exposition()
        if own is None or self.aggregate is None:
            return own
        return await self.aggregate(own)


_OFF = Metrics()


class MetricsDriver(ABC):
    """Makes the ``Metrics`` of a server; registered in the ``ovms.metrics`` entry-point group."""

    @abstractmethod
    def create(
        self, settings: ServerSettings, served: ServedVersions, hook: pluggy.HookRelay
    ) -> Metrics:
        """The metrics ``settings`` ask for (``metrics_list``), over the ``served`` versions.

        Raise ``ConfigError`` for settings the driver refuses. ``hook`` calls the hook plugins
        (a driver may add hook specifications of its own in the ``ovms.hookspecs`` group).
        """
