"""The metrics interface: frontends and the model kind record, a metrics plugin counts.

``Metrics`` records nothing; with ``--metrics_enable`` the ``MetricsDriver`` of a plugin
(``ovms-metrics``: Prometheus, in the OVMS format) makes the one the server uses. Its gauges
read the ``ServedVersions`` when ``/metrics`` is scraped and cost nothing per request.
"""

from ovms_core.metrics.metrics import InferenceObserver, Metrics, MetricsDriver
from ovms_core.metrics.served import ServedVersions, VersionLoad

__all__ = ["InferenceObserver", "Metrics", "MetricsDriver", "ServedVersions", "VersionLoad"]
