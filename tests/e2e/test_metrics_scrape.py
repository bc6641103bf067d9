"""/metrics after a known sequence of good and bad calls on each API, parsed with prometheus_client.

Only these tests call the model ``counted`` of ``metrics_server``, so its counts are exact.
"""

import http.client
import json
import subprocess
import sys

import pytest
from prometheus_client.parser import text_string_to_metric_families

from ovms_core.metrics import BUCKETS_US

ROW = list(range(10))


def call(server, method, path, body=None):
    connection = http.client.HTTPConnection("127.0.0.1", server.rest_port, timeout=30)
    try:
        payload = body if body is None or isinstance(body, bytes) else json.dumps(body).encode()
        connection.request(method, path, body=payload)
        reply = connection.getresponse()
        return reply.status, reply.getheader("Content-Type"), reply.read()
    finally:
        connection.close()


def kserve_infer(datatype="FP32"):
    return {"inputs": [{"name": "b", "shape": [1, 10], "datatype": datatype, "data": ROW}]}


# (method, path, body, expected HTTP status)
SEQUENCE = [
    ("POST", "/v1/models/counted:predict", {"inputs": {"b": [ROW]}}, 200),
    ("POST", "/v1/models/counted/versions/1:predict", {"instances": [ROW]}, 200),
    ("POST", "/v1/models/counted:predict", {"inputs": {"b": [[1, 2]]}}, 400),
    ("POST", "/v1/models/counted:predict", b"{broken", 412),
    ("POST", "/v1/models/counted/versions/7:predict", {"inputs": [ROW]}, 404),
    ("POST", "/v1/models/uncounted:predict", {"inputs": [ROW]}, 404),
    ("GET", "/v1/models/counted", None, 200),
    ("GET", "/v1/models/counted/versions/7", None, 404),
    ("GET", "/v1/models/counted/metadata", None, 200),
    ("GET", "/v1/models/counted/versions/1/metadata", None, 200),
    ("POST", "/v2/models/counted/infer", kserve_infer(), 200),
    ("POST", "/v2/models/counted/versions/1/infer", kserve_infer("INT32"), 400),
    ("POST", "/v2/models/counted/infer", b"[]", 400),
    ("GET", "/v2/models/counted", None, 200),
    ("GET", "/v2/models/counted/ready", None, 200),
    ("GET", "/v2/models/counted/versions/1/ready", None, 200),
    ("GET", "/v2/models/uncounted/ready", None, 404),
]


@pytest.fixture(scope="module")
def scraped(metrics_server):
    for method, path, body, expected in SEQUENCE:
        status, _, answer = call(metrics_server, method, path, body)
        assert status == expected, (path, answer)
    status, content_type, text = call(metrics_server, "GET", "/metrics?name=ignored")
    assert status == 200
    assert content_type.startswith("text/plain")
    return text.decode()


@pytest.fixture(scope="module")
def families(scraped):
    return {f.name: f for f in text_string_to_metric_families(scraped)}


def samples(families, family, sample=None, **labels):
    sample = sample or family
    return [
        s.value
        for s in families[family].samples
        if s.name == sample and all(s.labels.get(k) == v for k, v in labels.items())
    ]


def one(families, family, sample=None, **labels):
    [value] = samples(families, family, sample, **labels)
    return value


def test_exactly_the_configured_families(families, scraped):
    assert set(families) == {
        "ovms_requests_success",
        "ovms_requests_fail",
        "ovms_request_time_us",
        "ovms_inference_time_us",
        "ovms_wait_for_infer_req_time_us",
        "ovms_streams",
        "ovms_current_requests",
        "ovms_infer_req_queue_size",
        "ovms_infer_req_active",
    }
    assert "# TYPE ovms_requests_success counter\n" in scraped
    assert "\novms_requests_success{" in scraped  # the OVMS name, without _total
    assert "_created" not in scraped


@pytest.mark.parametrize(
    ("api", "method", "version", "success", "fail"),
    [
        ("TensorFlowServing", "Predict", "1", 2, 2),
        ("TensorFlowServing", "GetModelStatus", None, 1, 1),
        ("TensorFlowServing", "GetModelMetadata", "1", 2, 0),
        ("KServe", "ModelInfer", "1", 1, 2),
        ("KServe", "ModelMetadata", "1", 1, 0),
        ("KServe", "ModelReady", None, 2, 0),
    ],
)
def test_request_counts(families, api, method, version, success, fail):
    labels = {"api": api, "method": method, "name": "counted"}
    if version:
        labels["version"] = version
    counter = "ovms_requests_success"
    assert one(families, counter, counter + "_total", interface="REST", **labels) == success
    counter = "ovms_requests_fail"
    assert one(families, counter, counter + "_total", interface="REST", **labels) == fail
    for counter in ("ovms_requests_success", "ovms_requests_fail"):
        assert one(families, counter, counter + "_total", interface="gRPC", **labels) == 0


def test_no_series_for_names_or_versions_not_served(families):
    names = {s.labels["name"] for s in families["ovms_requests_fail"].samples}
    assert names == {"counted", "two_outputs"}
    versions = {s.labels.get("version") for s in families["ovms_requests_fail"].samples}
    assert versions == {"1", None}


def test_times(families):
    labels = {"name": "counted", "version": "1"}
    for family in ("ovms_inference_time_us", "ovms_wait_for_infer_req_time_us"):
        assert one(families, family, family + "_count", **labels) == 3
        buckets = samples(families, family, family + "_bucket", **labels)
        assert len(buckets) == len(BUCKETS_US) + 1
        assert buckets == sorted(buckets)
        assert one(families, family, family + "_bucket", le="+Inf", **labels) == 3
        assert one(families, family, family + "_sum", **labels) > 0
    family = "ovms_request_time_us"
    assert one(families, family, family + "_count", interface="REST", **labels) == 3
    assert one(families, family, family + "_count", interface="gRPC", **labels) == 0


def test_gauges(families):
    labels = {"name": "counted", "version": "1"}
    assert one(families, "ovms_infer_req_queue_size", **labels) == 2
    assert one(families, "ovms_infer_req_active", **labels) == 0
    assert one(families, "ovms_current_requests", **labels) == 0
    assert one(families, "ovms_streams", **labels) >= 1


def test_unknown_family_name_stops_startup(config_file):
    done = subprocess.run(
        [
            *(sys.executable, "-m", "ovms_core", "validate", "--config_path", str(config_file)),
            *(
                "--rest_port",
                "8000",
                "--metrics_enable",
                "--metrics_list",
                "ovms_streams,ovms_nope",
            ),
        ],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 1
    assert "Invalid name in metrics_list" in done.stderr
    assert "ovms_nope" in done.stderr
