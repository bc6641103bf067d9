"""/metrics after a known sequence of good and bad calls on each API, parsed with prometheus_client.

Only these tests call the model ``counted`` of ``metrics_server``, so its counts are exact.
"""

import http.client
import json
import subprocess
import sys

import grpc
import numpy as np
import pytest
from ovms_frontend_grpc._generated.ovms import grpc_predict_v2_pb2 as pb
from ovms_frontend_grpc._generated.ovms import grpc_predict_v2_pb2_grpc as pb_grpc
from ovms_frontend_grpc._generated.tensorflow_serving.apis import (
    get_model_metadata_pb2,
    get_model_status_pb2,
    model_service_pb2_grpc,
    predict_pb2,
    prediction_service_pb2_grpc,
)
from ovms_metrics import BUCKETS_US
from prometheus_client.parser import text_string_to_metric_families

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


def kserve_grpc_infer(version=""):
    request = pb.ModelInferRequest(model_name="counted", model_version=version)
    request.inputs.add(name="b", datatype="FP32", shape=[1, 10])
    request.raw_input_contents.append(np.arange(10, dtype=np.float32).tobytes())
    return request


def tfs_predict(version=None, size=10):
    request = predict_pb2.PredictRequest()
    request.model_spec.name = "counted"
    if version is not None:
        request.model_spec.version.value = version
    tensor = request.inputs["b"]
    tensor.dtype = 1  # DT_FLOAT
    tensor.tensor_shape.dim.add(size=1)
    tensor.tensor_shape.dim.add(size=size)
    tensor.tensor_content = np.arange(size, dtype=np.float32).tobytes()
    return request


def tfs_metadata():
    request = get_model_metadata_pb2.GetModelMetadataRequest(metadata_field=["signature_def"])
    request.model_spec.name = "counted"
    return request


def tfs_status(version=None):
    request = get_model_status_pb2.GetModelStatusRequest()
    request.model_spec.name = "counted"
    if version is not None:
        request.model_spec.version.value = version
    return request


def grpc_sequence(port):
    """Good and bad calls on each gRPC method; failures for an unserved version count nowhere."""
    with grpc.insecure_channel(f"127.0.0.1:{port}") as channel:
        kserve = pb_grpc.GRPCInferenceServiceStub(channel)
        predictions = prediction_service_pb2_grpc.PredictionServiceStub(channel)
        models = model_service_pb2_grpc.ModelServiceStub(channel)
        calls = [
            (predictions.Predict, tfs_predict(), True),
            (predictions.Predict, tfs_predict(1), True),
            (predictions.Predict, tfs_predict(7), False),
            (predictions.Predict, tfs_predict(size=2), False),
            (models.GetModelStatus, tfs_status(), True),
            (models.GetModelStatus, tfs_status(7), False),
            (predictions.GetModelMetadata, tfs_metadata(), True),
            (predictions.GetModelMetadata, tfs_metadata(), True),
            (kserve.ModelInfer, kserve_grpc_infer(), True),
            (kserve.ModelInfer, kserve_grpc_infer("1"), True),
            (kserve.ModelInfer, pb.ModelInferRequest(model_name="counted"), False),
            (kserve.ModelInfer, kserve_grpc_infer("7"), False),
            (kserve.ModelMetadata, pb.ModelMetadataRequest(name="counted"), True),
            (kserve.ModelReady, pb.ModelReadyRequest(name="counted"), True),
            (kserve.ModelReady, pb.ModelReadyRequest(name="counted", version="1"), True),
        ]
        for method, request, succeeds in calls:
            if succeeds:
                method(request, timeout=30)
            else:
                with pytest.raises(grpc.RpcError):
                    method(request, timeout=30)


# (api, method, version) -> (success, fail) over gRPC, after ``grpc_sequence``
GRPC_COUNTS = {
    ("TensorFlowServing", "Predict", "1"): (2, 1),
    ("TensorFlowServing", "GetModelStatus", None): (1, 1),
    ("TensorFlowServing", "GetModelMetadata", "1"): (2, 0),
    ("KServe", "ModelInfer", "1"): (2, 1),
    ("KServe", "ModelMetadata", "1"): (1, 0),
    ("KServe", "ModelReady", None): (2, 0),
}


@pytest.fixture(scope="module")
def scraped(metrics_server):
    for method, path, body, expected in SEQUENCE:
        status, _, answer = call(metrics_server, method, path, body)
        assert status == expected, (path, answer)
    grpc_sequence(metrics_server.grpc_port)
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
    grpc_success, grpc_fail = GRPC_COUNTS[(api, method, version)]
    counter = "ovms_requests_success"
    assert one(families, counter, counter + "_total", interface="gRPC", **labels) == grpc_success
    counter = "ovms_requests_fail"
    assert one(families, counter, counter + "_total", interface="gRPC", **labels) == grpc_fail


def test_no_series_for_names_or_versions_not_served(families):
    names = {s.labels["name"] for s in families["ovms_requests_fail"].samples}
    assert names == {"counted", "two_outputs"}
    versions = {s.labels.get("version") for s in families["ovms_requests_fail"].samples}
    assert versions == {"1", None}


def test_times(families):
    labels = {"name": "counted", "version": "1"}
    for family in ("ovms_inference_time_us", "ovms_wait_for_infer_req_time_us"):
        assert one(families, family, family + "_count", **labels) == 7
        buckets = samples(families, family, family + "_bucket", **labels)
        assert len(buckets) == len(BUCKETS_US) + 1
        assert buckets == sorted(buckets)
        assert one(families, family, family + "_bucket", le="+Inf", **labels) == 7
        assert one(families, family, family + "_sum", **labels) > 0
    family = "ovms_request_time_us"
    assert one(families, family, family + "_count", interface="REST", **labels) == 3
    assert one(families, family, family + "_count", interface="gRPC", **labels) == 4


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
