"""Prometheus metrics with the OVMS families, names, labels and buckets (SPEC 14).

Frontends report each answered call with one method call, which costs a dictionary lookup and
an increment (plus one histogram observation for successful inferences)::

    metrics = Metrics.of(context)            # once, when the frontend starts
    metrics.request_done("TensorFlowServing", "REST", "Predict", name, version, ok, seconds)

A gRPC frontend does the same with ``interface="gRPC"`` (methods ``ModelInfer``,
``ModelMetadata``, ``ModelReady``, ``Predict``, ``GetModelMetadata``, ``GetModelStatus``).
Series exist only for served names and versions, so clients cannot create new ones. The
dataplane records the wait for a free infer request and the inference time of every request,
whatever its frontend; the gauges (streams, nireq, infer requests in use, current requests)
are read from the served models when ``/metrics`` is scraped and cost nothing per request.

Hook plugins add families of their own to ``Metrics.registry`` (``ovms_register_metrics``).
"""

from ovms_core.metrics.families import BUCKETS_US, DEFAULT_FAMILIES, FAMILIES, OPTIONAL_FAMILIES
from ovms_core.metrics.metrics import INTERFACES, METHODS, Metrics

__all__ = [
    "BUCKETS_US",
    "DEFAULT_FAMILIES",
    "FAMILIES",
    "INTERFACES",
    "METHODS",
    "OPTIONAL_FAMILIES",
    "Metrics",
]
