"""Device drivers end to end: virtual devices on the CPU serve real results, absent hardware
fails only its own model, and MYRIAD/HDDL configurations stop the server at start-up."""

import json
import subprocess
import sys
import time

import numpy as np
import openvino as ov
import pytest
from ovms_testing.server import ServerProcess, free_port

http = pytest.importorskip("tritonclient.http")

ON_CPU = {
    "auto": ("AUTO:CPU", {}),
    "auto_any": ("AUTO", {"PERFORMANCE_HINT": "THROUGHPUT"}),
    "multi": ("MULTI:CPU", {}),
    "hetero": ("HETERO:CPU", {}),
    "batch": ("BATCH:CPU(4)", {"AUTO_BATCH_TIMEOUT": 100}),
    "streams": ("CPU", {"NUM_STREAMS": 2}),
}
FAILING = {
    "on_gpu": ("GPU", {}),
    "on_npu": ("NPU", {}),
    "multi_gpu": ("MULTI:CPU,GPU", {}),
    "bad_value": ("CPU", {"PERFORMANCE_HINT": "FAST"}),
    "bad_key": ("AUTO:CPU", {"NUM_STREAMZ": 1}),
}
ABSENT = {"GPU", "NPU"} - set(ov.Core().available_devices)


def _write_config(path, models, base_path):
    entries = []
    for name, (device, properties) in models.items():
        config = {"name": name, "base_path": str(base_path), "target_device": device}
        if properties:
            config["plugin_config"] = properties
        entries.append({"config": config})
    path.write_text(json.dumps({"model_config_list": entries}))
    return path


@pytest.fixture(scope="module")
def device_server(repository, tmp_path_factory):
    config = tmp_path_factory.mktemp("devices") / "config.json"
    _write_config(config, ON_CPU | FAILING, repository / "dummy")
    with ServerProcess(["--config_path", str(config)]) as running:
        yield running


@pytest.fixture
def client(device_server):
    client = http.InferenceServerClient(f"127.0.0.1:{device_server.rest_port}", concurrency=8)
    yield client
    client.close()


def _infer(client, name, values):
    tensor = http.InferInput("b", list(values.shape), "FP32")
    tensor.set_data_from_numpy(values)
    return client.async_infer(name, [tensor])


@pytest.mark.parametrize("name", sorted(ON_CPU))
def test_models_on_cpu_backed_devices_serve_exact_results(client, name):
    assert client.is_model_ready(name)
    pending = [_infer(client, name, np.full((1, 10), i, np.float32)) for i in range(8)]
    for i, request in enumerate(pending):
        result = request.get_result()
        np.testing.assert_array_equal(result.as_numpy("a"), np.full((1, 10), i + 1, np.float32))


@pytest.mark.parametrize("name", sorted(FAILING))
def test_models_that_cannot_load_fail_alone(client, name):
    assert not client.is_model_ready(name)
    assert client.is_server_ready()


def test_absent_device_error_lists_the_devices_here(device_server):
    log = device_server.log()
    available = ", ".join(ov.Core().available_devices)
    for device in sorted(ABSENT):
        assert f"device {device} is not available on this machine" in log
    assert f"available devices: {available}" in log


def test_plugin_config_errors_are_precise(device_server):
    log = device_server.log()
    assert "invalid value 'FAST' for PERFORMANCE_HINT" in log
    assert "NUM_STREAMZ is not a property of AUTO:CPU; valid keys:" in log


def test_streams_and_hint_are_logged(device_server):
    log = device_server.log()
    assert "Model streams version 2 compiled for CPU: execution devices: CPU; streams: 2;" in log
    assert "Model auto version 2 compiled for AUTO:CPU: execution devices: CPU;" in log


def _ovms(*args):
    return subprocess.run(
        [sys.executable, "-m", "ovms_core", *args], capture_output=True, text=True, timeout=120
    )


@pytest.mark.parametrize("device", ["MYRIAD", "HDDL", "MULTI:CPU,MYRIAD", "HETERO:HDDL,CPU"])
def test_myriad_and_hddl_stop_the_server_at_start_up(repository, tmp_path, device):
    config = _write_config(
        tmp_path / "config.json",
        {"good": ("CPU", {}), "old": (device, {})},
        repository / "dummy",
    )
    done = _ovms("serve", "--config_path", str(config), "--rest_port", str(free_port()))
    assert done.returncode == 1
    family = "MYRIAD" if "MYRIAD" in device else "HDDL"
    assert "$.model_config_list[1].config.target_device: model old:" in done.stderr
    assert f"{family} (" in done.stderr
    assert "is no longer supported" in done.stderr
    assert "use target_device NPU for Intel NPU hardware, or CPU" in done.stderr


def test_legacy_device_flag_stops_single_model_start_up(repository):
    done = _ovms(
        "serve",
        "--model_name",
        "m",
        "--model_path",
        str(repository / "dummy"),
        "--target_device",
        "MYRIAD",
        "--rest_port",
        str(free_port()),
    )
    assert done.returncode == 1
    assert "$.target_device: model m: Cannot compile model into target device - MYRIAD" in (
        done.stderr
    )


def test_malformed_virtual_device_is_a_configuration_error(repository):
    done = _ovms(
        "validate",
        "--model_name",
        "m",
        "--model_path",
        str(repository / "dummy"),
        "--target_device",
        "BATCH:CPU,CPU",
        "--rest_port",
        "8000",
    )
    assert done.returncode == 1
    assert "Device is in wrong format - BATCH takes exactly one device" in done.stderr


def test_ovms_devices_lists_what_openvino_sees():
    done = _ovms("devices")
    assert done.returncode == 0, done.stderr
    assert "available devices: " in done.stdout
    assert "CPU (driver CPU)" in done.stdout
    for device in sorted(ABSENT):
        assert f"{device} (driver {device})" in done.stdout
    assert "MYRIAD (driver MYRIAD)" in done.stdout
    assert "BATCH (driver BATCH)" in done.stdout


def test_reload_to_a_legacy_device_is_refused_and_models_keep_serving(repository, tmp_path):
    config = _write_config(tmp_path / "config.json", {"good": ("CPU", {})}, repository / "dummy")
    with ServerProcess(["--config_path", str(config)]) as running:
        _write_config(config, {"good": ("HDDL", {})}, repository / "dummy")
        deadline = time.monotonic() + 60
        while "Configuration reload failed" not in running.log():
            assert time.monotonic() < deadline, running.log()
            time.sleep(0.1)
        assert "model good: Cannot compile model into target device - HDDL (" in running.log()
        client = http.InferenceServerClient(f"127.0.0.1:{running.rest_port}")
        assert client.is_model_ready("good")
        client.close()
