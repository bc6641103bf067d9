"""The OVMS metric families: names, types, help texts, labels, buckets and ``metrics_list``."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from ovms_core import ConfigError, StatusCode

__all__ = [
    "BUCKETS_US",
    "DEFAULT_FAMILIES",
    "FAMILIES",
    "OPTIONAL_FAMILIES",
    "Family",
    "select_families",
]


@dataclass(frozen=True)
class Family:
    """One metric family as OVMS exposes it."""

    name: str
    kind: str
    """``counter``, ``gauge`` or ``histogram``."""
    help: str
    labels: tuple[str, ...]


REQUESTS_SUCCESS = Family(
    "ovms_requests_success",
    "counter",
    "Number of successful requests to a model or a DAG.",
    ("api", "interface", "method", "name", "version"),
)
REQUESTS_FAIL = Family(
    "ovms_requests_fail",
    "counter",
    "Number of failed requests to a model or a DAG.",
    ("api", "interface", "method", "name", "version"),
)
REQUEST_TIME = Family(
    "ovms_request_time_us",
    "histogram",
    "Processing time of requests to a model or a DAG.",
    ("interface", "name", "version"),
)
INFERENCE_TIME = Family(
    "ovms_inference_time_us",
    "histogram",
    "Inference execution time in the OpenVINO backend.",
    ("name", "version"),
)
WAIT_FOR_INFER_REQ = Family(
    "ovms_wait_for_infer_req_time_us",
    "histogram",
    "Request waiting time in the scheduling queue.",
    ("name", "version"),
)
STREAMS = Family(
    "ovms_streams", "gauge", "Number of OpenVINO execution streams.", ("name", "version")
)
CURRENT_REQUESTS = Family(
    "ovms_current_requests",
    "gauge",
    "Number of inference requests currently in process.",
    ("name", "version"),
)
INFER_REQ_QUEUE_SIZE = Family(
    "ovms_infer_req_queue_size",
    "gauge",
    "Inference request queue size (nireq).",
    ("name", "version"),
)
INFER_REQ_ACTIVE = Family(
    "ovms_infer_req_active",
    "gauge",
    "Number of currently consumed inference request from the processing queue.",
    ("name", "version"),
)

FAMILIES = (
    REQUESTS_SUCCESS,
    REQUESTS_FAIL,
    REQUEST_TIME,
    INFERENCE_TIME,
    WAIT_FOR_INFER_REQ,
    STREAMS,
    CURRENT_REQUESTS,
    INFER_REQ_QUEUE_SIZE,
    INFER_REQ_ACTIVE,
)
"""The families this server exposes, in exposition order."""

# MediaPipe graph families: valid in metrics_list (OVMS accepts them) but there are no graphs here.
_GRAPH_FAMILIES = (
    "ovms_current_graphs",
    "ovms_requests_accepted",
    "ovms_requests_rejected",
    "ovms_responses",
    "ovms_graph_error",
    "ovms_graph_processing_time_us",
)
DEFAULT_FAMILIES = frozenset(
    [f.name for f in FAMILIES if f not in (INFER_REQ_QUEUE_SIZE, INFER_REQ_ACTIVE)]
    + list(_GRAPH_FAMILIES)
)
"""Enabled when ``metrics_list`` is empty."""
OPTIONAL_FAMILIES = frozenset([INFER_REQ_QUEUE_SIZE.name, INFER_REQ_ACTIVE.name])
"""Enabled only when ``metrics_list`` names them."""

BUCKETS_US = (
    10, 18, 32, 58, 104, 188, 340, 612, 1101, 1983, 3570, 6426, 11568, 20822, 37481, 67466,
    121439, 218591, 393464, 708235, 1274823, 2294682, 4130428, 7434771, 13382588, 24088659,
    43359586, 78047255, 140485060, 252873108, 455171596, 819308872, 1474755971,
)  # fmt: skip
"""Upper bounds (µs) of every histogram: ``floor(10 * 1.8 ** i)`` for i = 0..32, then +Inf."""


def select_families(names: Iterable[str]) -> frozenset[str]:
    """The enabled family names; raises ``ConfigError`` for a name OVMS does not know."""
    listed = [n for n in names if n]
    for name in listed:
        if name not in DEFAULT_FAMILIES and name not in OPTIONAL_FAMILIES:
            raise ConfigError(
                StatusCode.INVALID_METRICS_FAMILY_NAME.message,
                value=name,
                code=StatusCode.INVALID_METRICS_FAMILY_NAME,
            )
    return frozenset(listed) if listed else DEFAULT_FAMILIES
