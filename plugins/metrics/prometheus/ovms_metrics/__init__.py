"""Prometheus metrics with the OVMS families, names, labels and buckets (SPEC 14).

Frontends report each answered call with one method call, which costs a dictionary lookup and
an increment (plus one histogram observation for successful inferences); a gRPC frontend does
the same with ``interface="gRPC"``. Series exist only for served names and versions, so clients
cannot create new ones. The model kind records the wait for a free infer request and the
inference time of every request, whatever its frontend; the gauges (streams, nireq, infer
requests in use, current requests) are read from the served versions when ``/metrics`` is
scraped and cost nothing per request.

Hook plugins add families of their own to ``PrometheusMetrics.registry``
(``ovms_register_metrics``).
"""

from ovms_metrics.families import BUCKETS_US, DEFAULT_FAMILIES, FAMILIES, OPTIONAL_FAMILIES
from ovms_metrics.metrics import INTERFACES, METHODS, PrometheusDriver, PrometheusMetrics

__all__ = [
    "BUCKETS_US",
    "DEFAULT_FAMILIES",
    "FAMILIES",
    "INTERFACES",
    "METHODS",
    "OPTIONAL_FAMILIES",
    "PrometheusDriver",
    "PrometheusMetrics",
]
