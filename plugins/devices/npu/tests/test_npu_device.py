import openvino as ov
import pytest
from ovms_device_npu import NpuDevice
from ovms_testing.contracts import DeviceContract

from ovms_core import OvmsError, StatusCode, is_available
from ovms_core.plugins.drivers import DriverLoader

PRESENT = is_available(NpuDevice().device("NPU"), ov.Core().available_devices)


class TestNpuDevice(DeviceContract):
    valid_syntax = ("NPU", "NPU.0", "npu")
    invalid_syntax = ("MYRIAD", "NPU:0", "NPU(1)", "NPU.")

    @pytest.fixture
    def driver(self):
        return NpuDevice()

    @pytest.fixture
    def target_device(self):
        return "NPU" if PRESENT else None

    @pytest.fixture
    def absent_target_device(self):
        return "NPU.5" if PRESENT else "NPU"


def test_registered_as_npu_driver():
    assert isinstance(DriverLoader().get("device", "NPU"), NpuDevice)


@pytest.mark.skipif(PRESENT, reason="an NPU is present")
def test_absent_npu_error_lists_this_machines_devices():
    core = ov.Core()
    with pytest.raises(OvmsError) as caught:
        NpuDevice().check(core, "NPU", {"PERFORMANCE_HINT": "LATENCY"})
    assert caught.value.code == StatusCode.CANNOT_COMPILE_MODEL_INTO_TARGET_DEVICE
    assert "device NPU is not available on this machine" in caught.value.message
    assert f"available devices: {', '.join(core.available_devices)}" in caught.value.message
