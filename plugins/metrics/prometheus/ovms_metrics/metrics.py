"""The server's Prometheus metrics: what frontends and the model kind record, and ``/metrics``."""

from __future__ import annotations

from typing import TYPE_CHECKING

from prometheus_client import CollectorRegistry, generate_latest

from ovms_core import Metrics, MetricsDriver, VersionLoad
from ovms_metrics import exposition
from ovms_metrics.families import (
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
from ovms_metrics.series import Histogram, InferenceSeries, RequestSeries

if TYPE_CHECKING:
    import pluggy

    from ovms_core import ServedVersions, ServerSettings

__all__ = ["INTERFACES", "METHODS", "PrometheusDriver", "PrometheusMetrics"]

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


class PrometheusDriver(MetricsDriver):
    """The ``prometheus`` metrics driver (entry point in ``ovms.metrics``)."""

    def create(
        self, settings: ServerSettings, served: ServedVersions, hook: pluggy.HookRelay
    ) -> PrometheusMetrics:
        """Metrics of the families ``metrics_list`` names (the default ones when empty).

        Raises ``ConfigError`` (``Invalid name in metrics_list``) for an unknown family name;
        then calls ``ovms_register_metrics`` with the registry.
        """
        metrics = PrometheusMetrics(served, select_families(settings.metrics_list))
        hook.ovms_register_metrics(registry=metrics.registry)
        return metrics


class PrometheusMetrics(Metrics):
    """Series by label values, created for every served model version, read at scrape time.

    ``families`` holds the enabled family names. ``registry`` is a ``prometheus_client``
    registry for families that hook plugins add (``ovms_register_metrics``); it is exposed after
    the OVMS families.
    """

    def __init__(self, served: ServedVersions, families: frozenset[str]) -> None:
        self.families = families
        self.registry = CollectorRegistry()
        self._served = served
        self._requests: dict[_RequestKey, RequestSeries] = {}
        self._request_times: dict[tuple[str, str, int], Histogram] = {}
        self._inference: dict[tuple[str, int], InferenceSeries] = {}

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
        """Count one answered call (see ``ovms_core.Metrics.request_done``).

        A call without a version (None or 0) counts for the default version.
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
        """The wait and inference histograms of a served version (None for others)."""
        series = self._inference.get((name, version))
        if series is None and self.enabled and version in self._served.versions(name):
            self._add_version(name, version)
            series = self._inference[(name, version)]
        return series

    def exposition(self) -> bytes:
        """The Prometheus text of every enabled family, then the plugins' registry."""
        lines: list[str] = []
        if self.enabled:
            self._add_all()
            loads = {key: self._served.load(*key) for key in self._inference}
            for family in FAMILIES:
                if family.name in self.families:
                    lines += exposition.head(family)
                    lines += self._samples(family, loads)
        text = "\n".join(lines) + "\n" if lines else ""
        return text.encode() + generate_latest(self.registry)

    # -- series creation: once per model version, never for names the server does not serve --

    def _find(
        self, api: str, interface: str, method: str, name: str, version: int | None
    ) -> RequestSeries | None:
        if not self.enabled:
            return None
        if method in _VERSIONLESS:
            if not self._served.serves(name):
                return None
            self._add_model(name)
        else:
            version = self._served.resolve(name, version)
            if version is None:
                return None
            self._add_version(name, version)
        return self._requests.get((api, interface, method, name, version))

    def _add_all(self) -> None:
        for name in self._served.names():
            self._add_model(name)
            for number in self._served.versions(name):
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

    def _samples(self, family: Family, loads: dict[tuple[str, int], VersionLoad]) -> list[str]:
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
            ((_version_labels(n, v), _gauge(family, loads[(n, v)])) for (n, v), _ in versions),
        )


def _gauge(family: Family, load: VersionLoad) -> int:
    if family is CURRENT_REQUESTS:
        return load.current
    if family is INFER_REQ_QUEUE_SIZE:
        return load.nireq
    if family is INFER_REQ_ACTIVE:
        return load.active
    assert family is STREAMS
    return load.streams


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
