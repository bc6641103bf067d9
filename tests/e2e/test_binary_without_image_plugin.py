"""Encoded images for a numeric input when no converter decodes them (``ovms-image`` disabled):
every API answers a client error naming the distribution to install."""

import base64
import http.client
import json
import struct

import grpc
import numpy as np
import pytest
from ovms_testing.models import image_model, save_version
from ovms_testing.server import ServerProcess, free_port

pytest.importorskip("ovms_frontend_grpc")
from ovms_frontend_grpc._generated.ovms import grpc_predict_v2_pb2 as kserve_pb2
from ovms_frontend_grpc._generated.ovms import grpc_predict_v2_pb2_grpc as kserve_grpc
from ovms_frontend_grpc._generated.tensorflow.core.framework import types_pb2
from ovms_frontend_grpc._generated.tensorflow_serving.apis import (
    predict_pb2,
    prediction_service_pb2_grpc,
)

cv2 = pytest.importorskip("cv2")

PNG = cv2.imencode(".png", np.zeros((6, 8, 3), np.uint8))[1].tobytes()
HINT = "need the ovms-image distribution: pip install ovms-image"


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    root = tmp_path_factory.mktemp("no-image-plugin")
    save_version(image_model((1, 6, 8, 3)), str(root / "image"), 1)
    args = [
        "--model_name",
        "image",
        "--model_path",
        str(root / "image"),
        "--port",
        str(free_port()),
    ]
    with ServerProcess(args, env={"OVMS_DISABLE_PLUGINS": "image"}) as running:
        yield running


def post(server, path, body, headers=None):
    connection = http.client.HTTPConnection("127.0.0.1", server.rest_port, timeout=30)
    try:
        connection.request("POST", path, body, headers or {})
        reply = connection.getresponse()
        return reply.status, json.loads(reply.read())
    finally:
        connection.close()


def test_kserve_rest(server):
    tail = struct.pack("<I", len(PNG)) + PNG
    inputs = [{"name": "image", "shape": [1], "datatype": "BYTES"}]
    inputs[0]["parameters"] = {"binary_data_size": len(tail)}
    head = json.dumps({"inputs": inputs}).encode()
    headers = {"Inference-Header-Content-Length": str(len(head))}
    status, body = post(server, "/v2/models/image/infer", head + tail, headers)
    assert status == 400, body
    assert body["error"].startswith("Invalid input precision - encoded images for FP32 inputs")
    assert HINT in body["error"]


def test_tfs_rest(server):
    document = {"instances": [{"b64": base64.b64encode(PNG).decode()}]}
    status, body = post(server, "/v1/models/image:predict", json.dumps(document).encode())
    assert status == 400, body
    assert HINT in body["error"]


def test_kserve_and_tfs_grpc(server):
    kserve = kserve_pb2.ModelInferRequest(model_name="image")
    tensor = kserve.inputs.add(name="image", datatype="BYTES", shape=[1])
    tensor.contents.bytes_contents.append(PNG)
    tfs = predict_pb2.PredictRequest()
    tfs.model_spec.name = "image"
    tfs.inputs["image"].dtype = types_pb2.DT_STRING
    tfs.inputs["image"].tensor_shape.dim.add(size=1)
    tfs.inputs["image"].string_val.append(PNG)
    with grpc.insecure_channel(f"127.0.0.1:{server.grpc_port}") as channel:
        calls = [
            (kserve_grpc.GRPCInferenceServiceStub(channel).ModelInfer, kserve),
            (prediction_service_pb2_grpc.PredictionServiceStub(channel).Predict, tfs),
        ]
        for call, request in calls:
            with pytest.raises(grpc.RpcError) as caught:
                call(request, timeout=30)
            assert caught.value.code() == grpc.StatusCode.INVALID_ARGUMENT
            assert HINT in caught.value.details()
