import openvino as ov
import pytest
from ovms_device_cpu import CpuDevice

from ovms_core import OvmsError
from ovms_core.plugins.drivers import DriverLoader
from ovms_core.testing.contracts import DeviceContract


class TestCpuDevice(DeviceContract):
    valid_properties = {"PERFORMANCE_HINT": "LATENCY", "NUM_STREAMS": 1}

    @pytest.fixture
    def driver(self):
        return CpuDevice()

    @pytest.fixture
    def target_device(self):
        return "CPU"


def test_registered_as_cpu_driver():
    assert isinstance(DriverLoader().get("device", "CPU"), CpuDevice)


def test_refuses_other_device_names():
    with pytest.raises(OvmsError) as caught:
        CpuDevice().check(ov.Core(), "GPU", {})
    assert caught.value.code.name == "DEVICE_WRONG_FORMAT"


def test_unknown_property_error_lists_valid_keys():
    with pytest.raises(OvmsError) as caught:
        CpuDevice().check(ov.Core(), "CPU", {"NUM_STREAMZ": 2})
    assert "NUM_STREAMZ" in caught.value.message
    assert "NUM_STREAMS" in caught.value.message


def test_read_only_property_is_rejected():
    with pytest.raises(OvmsError):
        CpuDevice().check(ov.Core(), "CPU", {"FULL_DEVICE_NAME": "x"})


def test_describe_names_the_cpu():
    rows = CpuDevice().describe(ov.Core())
    assert rows[0]["device"] == "CPU"
    assert rows[0]["full_name"]
