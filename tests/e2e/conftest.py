import json

import numpy as np
import openvino as ov
import openvino.opset13 as ops
import pytest
from ovms_testing.models import add_two_inputs_model, dummy_model, save_version
from ovms_testing.server import ServerProcess, free_port


def strings_model():
    """A 1-D native string tensor ``text`` returned as it came (output ``text`` too)."""
    text = ops.parameter([-1], ov.Type.string, name="text")
    return ov.Model([ops.result(text)], [text], "strings")


def bf16_model():
    """``a = b + 1`` on bf16 [1,3]."""
    b = ops.parameter([1, 3], ov.Type.bf16, name="b")
    a = ops.add(b, ops.convert(ops.constant(np.array([1], np.float32)), ov.Type.bf16))
    a.output(0).set_names({"a"})
    return ov.Model([a], [b], "bf16")


def slow_model():
    """``y = x @ W1 @ W2 @ W3 @ W4`` on x f32 [64,1024]: several milliseconds per call."""
    x = ops.parameter([64, 1024], ov.Type.f32, name="x")
    y = x
    for seed in range(4):
        weights = np.random.default_rng(seed).standard_normal((1024, 1024)).astype(np.float32)
        y = ops.matmul(y, ops.constant(weights * 0.03), False, False)
    y.output(0).set_names({"y"})
    return ov.Model([y], [x], "slow")


@pytest.fixture(scope="session")
def repository(tmp_path_factory):
    """Model folders for every end-to-end test; ``config_file`` lists them."""
    root = tmp_path_factory.mktemp("models")
    save_version(dummy_model(), str(root / "dummy"), 1)
    save_version(dummy_model(), str(root / "dummy"), 2)
    save_version(add_two_inputs_model(), str(root / "add_two"), 1)
    save_version(dummy_model((-1, 10)), str(root / "dynamic"), 1)
    save_version(dummy_model((1, 4), ov.Type.i32), str(root / "int32"), 1)
    save_version(dummy_model((1, 3), ov.Type.f16), str(root / "fp16"), 1)
    save_version(strings_model(), str(root / "strings"), 1)
    save_version(bf16_model(), str(root / "bf16"), 1)
    save_version(slow_model(), str(root / "slow"), 1)
    broken = root / "broken" / "1"
    broken.mkdir(parents=True)
    (broken / "model.xml").write_text("<net>this is not IR</net>")
    (broken / "model.bin").write_bytes(b"")
    return root


@pytest.fixture(scope="session")
def config_file(repository):
    models = [
        {"name": "dummy", "base_path": "dummy", "model_version_policy": {"all": {}}},
        {"name": "add_two", "base_path": "add_two"},
        {"name": "dynamic", "base_path": "dynamic"},
        {"name": "int32", "base_path": "int32"},
        {"name": "fp16", "base_path": "fp16"},
        {"name": "strings", "base_path": "strings"},
        {"name": "bf16", "base_path": "bf16"},
        {"name": "slow", "base_path": "slow", "nireq": 2},
        {"name": "broken", "base_path": "broken"},
    ]
    path = repository / "config.json"
    path.write_text(json.dumps({"model_config_list": [{"config": m} for m in models]}))
    return path


@pytest.fixture(scope="session")
def server(config_file):
    with ServerProcess(["--config_path", str(config_file), "--port", str(free_port())]) as running:
        yield running


def two_outputs_model():
    """``x`` FP32 [-1,3] -> ``plus_one`` = x + 1 and ``biggest`` = max over axis 1 (INT64)."""
    x = ops.parameter([-1, 3], ov.Type.f32, name="x")
    plus_one = ops.add(x, ops.constant(np.float32(1)))
    plus_one.output(0).set_names({"plus_one"})
    biggest = ops.convert(ops.reduce_max(x, ops.constant(np.int64(1)), False), ov.Type.i64)
    biggest.output(0).set_names({"biggest"})
    return ov.Model([plus_one, biggest], [x], "two_outputs")


@pytest.fixture(scope="session")
def metrics_server(tmp_path_factory):
    """A server with every metric family (config ``monitoring``) and models no other test uses:
    ``counted`` (a dummy with nireq 2; only the metrics tests call it) and ``two_outputs``."""
    root = tmp_path_factory.mktemp("metrics_models")
    save_version(dummy_model(), str(root / "counted"), 1)
    save_version(two_outputs_model(), str(root / "two_outputs"), 1)
    config = {
        "model_config_list": [
            {"config": {"name": "counted", "base_path": "counted", "nireq": 2}},
            {"config": {"name": "two_outputs", "base_path": "two_outputs"}},
        ],
        "monitoring": {
            "metrics": {
                "enable": True,
                "metrics_list": [
                    "ovms_requests_success",
                    "ovms_requests_fail",
                    "ovms_request_time_us",
                    "ovms_inference_time_us",
                    "ovms_wait_for_infer_req_time_us",
                    "ovms_streams",
                    "ovms_current_requests",
                    "ovms_infer_req_queue_size",
                    "ovms_infer_req_active",
                ],
            }
        },
    }
    path = root / "config.json"
    path.write_text(json.dumps(config))
    with ServerProcess(["--config_path", str(path), "--port", str(free_port())]) as running:
        yield running
