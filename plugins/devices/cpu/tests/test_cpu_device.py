import openvino as ov
import pytest
from ovms_device_cpu import CpuDevice
from ovms_testing.contracts import DeviceContract
from ovms_testing.models import dummy_model

from ovms_core import OvmsError
from ovms_core.plugins.drivers import DriverLoader


class TestCpuDevice(DeviceContract):
    valid_properties = {"PERFORMANCE_HINT": "LATENCY", "NUM_STREAMS": 1}
    valid_syntax = ("CPU", "cpu", " CPU ")
    invalid_syntax = ("GPU", "CPU:1", "CPU(2)", "")

    @pytest.fixture
    def driver(self):
        return CpuDevice()

    @pytest.fixture
    def target_device(self):
        return "CPU"

    @pytest.fixture
    def absent_target_device(self):
        return "CPU.3"


def test_registered_as_cpu_driver():
    assert isinstance(DriverLoader().get("device", "CPU"), CpuDevice)


def test_unknown_property_error_lists_valid_keys():
    with pytest.raises(OvmsError) as caught:
        CpuDevice().check(ov.Core(), "CPU", {"NUM_STREAMZ": 2})
    assert "NUM_STREAMZ" in caught.value.message
    assert "NUM_STREAMS" in caught.value.message


def test_read_only_property_is_rejected():
    with pytest.raises(OvmsError):
        CpuDevice().check(ov.Core(), "CPU", {"FULL_DEVICE_NAME": "x"})


@pytest.mark.parametrize(
    ("key", "value"),
    [("NUM_STREAMS", "many"), ("ENABLE_CPU_PINNING", "maybe"), ("INFERENCE_PRECISION_HINT", "f7")],
)
def test_bad_value_is_rejected_with_the_openvino_reason(key, value):
    with pytest.raises(OvmsError) as caught:
        CpuDevice().check(ov.Core(), "CPU", {key: value})
    assert caught.value.code.name == "PLUGIN_CONFIG_WRONG_FORMAT"
    assert key in caught.value.message
    assert "Exception from" not in caught.value.message


def test_lower_case_name_compiles_as_cpu():
    compiled = CpuDevice().compile(ov.Core(), dummy_model(), "cpu", {})
    assert compiled.get_property("EXECUTION_DEVICES") == ["CPU"]


def test_describe_names_the_cpu():
    rows = CpuDevice().describe(ov.Core())
    assert rows[0]["device"] == "CPU"
    assert rows[0]["full_name"]
