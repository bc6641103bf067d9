"""Device support in the kernel, on the real CPU, with no device plugin installed."""

import numpy as np
import openvino as ov
import pytest
from ovms_testing.models import dummy_model

from ovms_core import (
    CORE_PROPERTIES,
    DeviceName,
    HardwareDevice,
    OvmsError,
    StatusCode,
    check_property_keys,
    is_available,
    openvino_reason,
    parse_device_name,
)
from ovms_core.config import ModelConfig, ServingConfig
from ovms_core.devices.execution import execution_info
from ovms_core.models.targets import check_target_devices
from ovms_core.plugins.drivers import DriverLoader
from ovms_core.plugins.errors import DriverNotFound


class Cpu(HardwareDevice):
    family = "CPU"


@pytest.mark.parametrize(
    ("text", "name"),
    [
        ("CPU", DeviceName("CPU")),
        (" gpu.1 ", DeviceName("GPU", "1")),
        ("NPU.0", DeviceName("NPU", "0")),
    ],
)
def test_device_names(text, name):
    assert parse_device_name(text) == name


@pytest.mark.parametrize("text", ["", "GPU.", "GPU:1", "1GPU", "GPU(2)", "GPU.1.2"])
def test_malformed_device_names(text):
    with pytest.raises(OvmsError) as caught:
        parse_device_name(text)
    assert caught.value.code == StatusCode.DEVICE_WRONG_FORMAT


@pytest.mark.parametrize(
    ("name", "available", "present"),
    [
        ("GPU", ["CPU", "GPU.0", "GPU.1"], True),
        ("GPU.1", ["CPU", "GPU.0", "GPU.1"], True),
        ("GPU.2", ["CPU", "GPU.0", "GPU.1"], False),
        ("GPU.0", ["CPU", "GPU"], True),
        ("GPU.1", ["CPU", "GPU"], False),
        ("NPU", ["CPU"], False),
    ],
)
def test_availability_rules(name, available, present):
    assert is_available(parse_device_name(name), available) is present


def test_unknown_keys_are_listed_with_the_valid_ones():
    with pytest.raises(OvmsError) as caught:
        check_property_keys("GPU", {"NUM_STREAMS", "GPU_QUEUE_PRIORITY"}, {"NUM_STREAMZ": 1})
    message = caught.value.message
    assert message.startswith("Plugin config is in wrong format - NUM_STREAMZ is not a property")
    assert "GPU_QUEUE_PRIORITY" in message
    assert all(key in message for key in CORE_PROPERTIES)


def test_openvino_reason_skips_the_source_locations():
    try:
        ov.Core().compile_model(dummy_model(), "CPU", {"PERFORMANCE_HINT": "FAST"})
    except RuntimeError as error:
        reason = openvino_reason(error)
    assert reason.startswith("Wrong value FAST")


def test_hardware_driver_checks_presence_keys_and_values():
    core = ov.Core()
    driver = Cpu()
    driver.check(core, "CPU", {"NUM_STREAMS": 1, "CACHE_DIR": "/tmp"})
    with pytest.raises(OvmsError) as absent:
        driver.check(core, "CPU.4", {})
    assert "device CPU.4 is not available on this machine" in absent.value.message
    assert "available devices: CPU" in absent.value.message
    with pytest.raises(OvmsError) as bad_value:
        driver.check(core, "CPU", {"PERFORMANCE_HINT": "FAST"})
    assert "invalid value 'FAST' for PERFORMANCE_HINT" in bad_value.value.message
    with pytest.raises(OvmsError) as other_family:
        driver.parse("GPU")
    assert other_family.value.code == StatusCode.DEVICE_WRONG_FORMAT


def test_execution_info_reports_streams_and_hint():
    compiled = ov.Core().compile_model(dummy_model(), "CPU", {"NUM_STREAMS": 2})
    info = execution_info(compiled)
    assert info.devices == ("CPU",)
    assert info.streams == 2
    assert info.performance_hint
    result = compiled(np.zeros((1, 10), np.float32))[0]
    np.testing.assert_array_equal(result, np.ones((1, 10), np.float32))


def test_start_up_check_needs_the_driver_of_each_device():
    config = ServingConfig(models=(ModelConfig(name="m", base_path="/m", target_device="QPU:CPU"),))
    with pytest.raises(DriverNotFound, match="No device driver named 'QPU'"):
        check_target_devices(config, DriverLoader())
