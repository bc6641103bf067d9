"""The server's metrics: what frontends and the dataplane record, and the ``/metrics`` text."""

from __future__ import annotations

import contextlib
from collections.abc import Awaitable, Callable
from typing import TYPE_CHECKING

from prometheus_client import CollectorRegistry, generate_latest

from ovms_core.metrics import exposition
from ovms_core.metrics.families import (
    CURRENT_REQUESTS,
    FAMILIES,
    INFER_REQ_ACTIVE,
    INFER_REQ_QUEUE_SIZE,
    INFERENCE_TIME,
    REQUEST_TIME,
    REQUESTS_FAIL,
    REQUESTS_SUCCESS,
    STREAMS,
    WAIT_FOR_INFER_REQ,
    Family,
    select_families,
)
from ovms_core.metrics.series import Histogram, InferenceSeries, RequestSeries

if TYPE_CHECKING:
    from ovms_core.base.services import HasServices
    from ovms_core.config.server_settings import ServerSettings
    from ovms_core.models.compiled import CompiledVersion
    from ovms_core.models.manager import ModelManager

__all__ = ["INTERFACES", "METHODS", "Metrics"]

INTERFACES = ("REST", "gRPC")
"""Values of the ``interface`` label."""
METHODS = (
    ("KServe", "ModelInfer"),
    ("KServe", "ModelMetadata"),
    ("KServe", "ModelReady"),
    ("TensorFlowServing", "Predict"),
    ("TensorFlowServing", "GetModelMetadata"),
    ("TensorFlowServing", "GetModelStatus"),
)
"""Values of the ``api`` and ``method`` labels, as pairs."""
_VERSIONLESS = frozenset({"GetModelStatus", "ModelReady"})
_TIMED = frozenset({"ModelInfer", "Predict"})

_RequestKey = tuple[str, str, str, str, int | None]


class Metrics:
    """Series by label values, created for every served model version, read at scrape time.

    ``families`` holds the enabled family names; empty means metrics are off and every call
    returns at once. ``registry`` is a ``prometheus_client`` registry for families that hook
    plugins add (``ovms_register_metrics``); it is exposed after the OVMS families.
    """

    def __init__(self, manager: ModelManager | None, families: frozenset[str]) -> None:
        self.families = families if manager is not None else frozenset()
        self.registry = CollectorRegistry()
        self._manager = manager
        self._requests: dict[_RequestKey, RequestSeries] = {}
        self._request_times: dict[tuple[str, str, int], Histogram] = {}
        self._inference: dict[tuple[str, int], InferenceSeries] = {}
        self.gather: Callable[[], Awaitable[list[bytes]]] | None = None
        """Other worker processes' texts, which ``scrape`` adds up with this one's."""

    @classmethod
    def from_settings(cls, settings: ServerSettings, manager: ModelManager) -> Metrics:
        """Metrics per ``--metrics_enable``/``--metrics_list`` (or the config's ``monitoring``).

        Raises ``ConfigError`` (``Invalid name in metrics_list``) for an unknown family name.
        """
        return cls(manager, select_families(settings.metrics_enable, settings.metrics_list))

    @classmethod
    def disabled(cls) -> Metrics:
        """Metrics that record nothing."""
        return cls(None, frozenset())

    @staticmethod
    def of(context: HasServices) -> Metrics:
        """The server's metrics (``context.services["metrics"]``), or disabled ones."""
        found = context.services.get("metrics")
        return found if isinstance(found, Metrics) else Metrics.disabled()

    @property
    def enabled(self) -> bool:
        """Whether ``/metrics`` is served."""
        return bool(self.families)

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
            before a version was chosen): the default version then. Ignored for
            ``GetModelStatus`` and ``ModelReady``.
        :param ok: whether the call succeeded.
        :param seconds: time from receiving the request to having the answer ready.
        """
        if method in _VERSIONLESS:
            version = None
        series = self._requests.get((api, interface, method, name, version))
        if series is None:
            series = self._find(api, interface, method, name, version)
            if series is None:
                return
        if not ok:
            series.fail.value += 1
            return
        series.success.value += 1
        if seconds is not None and series.time is not None:
            series.time.observe(seconds * 1e6)

    def inference(self, name: str, version: int) -> InferenceSeries | None:
        """The wait and inference histograms of a served version (None when metrics are off)."""
        series = self._inference.get((name, version))
        if series is None and self._version_known(name, version):
            self._add_version(name, version)
            series = self._inference[(name, version)]
        return series

    def exposition(self) -> bytes:
        """The Prometheus text of every enabled family, then the plugins' registry."""
        lines: list[str] = []
        if self.enabled:
            self._add_all()
            for family in FAMILIES:
                if family.name in self.families:
                    lines += exposition.head(family)
                    lines += self._samples(family)
        text = "\n".join(lines) + "\n" if lines else ""
        return text.encode() + generate_latest(self.registry)

    async def scrape(self) -> bytes:
        """The ``/metrics`` answer: ``exposition``, summed with every other worker's."""
        own = self.exposition()
        if self.gather is None:
            return own
        return exposition.merge([own, *await self.gather()])

    # -- series creation: once per model version, never for names the server does not serve --

    def _find(
        self, api: str, interface: str, method: str, name: str, version: int | None
    ) -> RequestSeries | None:
        model = self._manager.get(name) if self.enabled and self._manager else None
        if model is None:
            return None
        if method in _VERSIONLESS:
            self._add_model(name)
        else:
            if not version:
                if model.default is None:
                    return None
                version = model.default.number
            if version not in model.versions:
                return None
            self._add_version(name, version)
        return self._requests.get((api, interface, method, name, version))

    def _version_known(self, name: str, version: int) -> bool:
        model = self._manager.get(name) if self.enabled and self._manager else None
        return model is not None and version in model.versions

    def _add_all(self) -> None:
        assert self._manager is not None
        for name, model in list(self._manager.models.items()):
            self._add_model(name)
            for number in list(model.versions):
                self._add_version(name, number)

    def _add_model(self, name: str) -> None:
        for api, method in METHODS:
            if method in _VERSIONLESS:
                for interface in INTERFACES:
                    key = (api, interface, method, name, None)
                    if key not in self._requests:
                        self._requests[key] = RequestSeries(None)

    def _add_version(self, name: str, version: int) -> None:
        if (name, version) in self._inference:
            return
        self._add_model(name)
        self._inference[(name, version)] = InferenceSeries()
        for interface in INTERFACES:
            time = self._request_times.setdefault((interface, name, version), Histogram())
            for api, method in METHODS:
                if method not in _VERSIONLESS:
                    self._requests[(api, interface, method, name, version)] = RequestSeries(
                        time if method in _TIMED else None
                    )

    # -- exposition --

    def _samples(self, family: Family) -> list[str]:
        if family in (REQUESTS_SUCCESS, REQUESTS_FAIL):
            success = family is REQUESTS_SUCCESS
            return exposition.counter_lines(
                family,
                (
                    (_request_labels(key), (s.success if success else s.fail).value)
                    for key, s in sorted(self._requests.items(), key=_request_order)
                ),
            )
        if family is REQUEST_TIME:
            return exposition.histogram_lines(
                family,
                (
                    ((("interface", i), ("name", n), ("version", str(v))), h)
                    for (i, n, v), h in sorted(self._request_times.items())
                ),
            )
        versions = sorted(self._inference.items())
        if family in (INFERENCE_TIME, WAIT_FOR_INFER_REQ):
            return exposition.histogram_lines(
                family,
                (
                    (_version_labels(n, v), s.inference if family is INFERENCE_TIME else s.wait)
                    for (n, v), s in versions
                ),
            )
        return exposition.gauge_lines(
            family,
            (
                (_version_labels(n, v), _gauge(family, self._compiled(n, v)))
                for (n, v), _ in versions
            ),
        )

    def _compiled(self, name: str, version: int) -> CompiledVersion | None:
        assert self._manager is not None
        model = self._manager.get(name)
        found = model.versions.get(version) if model is not None else None
        return found.compiled if found is not None else None


def _gauge(family: Family, compiled: CompiledVersion | None) -> int:
    if compiled is None:
        return 0
    if family is CURRENT_REQUESTS:
        return compiled.inflight
    if family is INFER_REQ_QUEUE_SIZE:
        return compiled.pool.size
    if family is INFER_REQ_ACTIVE:
        return compiled.pool.busy
    assert family is STREAMS
    with contextlib.suppress(Exception):  # devices without the property report 0
        return int(compiled.model.compiled.get_property("NUM_STREAMS"))
    return 0


def _request_labels(key: _RequestKey) -> list[tuple[str, str]]:
    api, interface, method, name, version = key
    labels = [("api", api), ("interface", interface), ("method", method), ("name", name)]
    if version is not None:
        labels.append(("version", str(version)))
    return labels


def _request_order(item: tuple[_RequestKey, RequestSeries]) -> tuple[str, int, str, str, str]:
    api, interface, method, name, version = item[0]
    return (name, -1 if version is None else version, api, interface, method)


def _version_labels(name: str, version: int) -> tuple[tuple[str, str], ...]:
    return (("name", name), ("version", str(version)))
