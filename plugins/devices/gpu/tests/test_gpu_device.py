import openvino as ov
import pytest
from ovms_device_gpu import GpuDevice
from ovms_testing.contracts import DeviceContract

from ovms_core import OvmsError, StatusCode, is_available
from ovms_core.plugins.drivers import DriverLoader

PRESENT = is_available(GpuDevice().device("GPU"), ov.Core().available_devices)


class TestGpuDevice(DeviceContract):
    valid_syntax = ("GPU", "GPU.0", "GPU.1", "gpu.1")
    invalid_syntax = ("CPU", "GPU:0", "GPU.", "GPU(2)", "GPU.1.2")

    @pytest.fixture
    def driver(self):
        return GpuDevice()

    @pytest.fixture
    def target_device(self):
        return "GPU" if PRESENT else None

    @pytest.fixture
    def absent_target_device(self):
        return "GPU.7" if PRESENT else "GPU"


def test_registered_as_gpu_driver():
    assert isinstance(DriverLoader().get("device", "GPU"), GpuDevice)


@pytest.mark.skipif(PRESENT, reason="a GPU is present")
def test_absent_gpu_is_refused_before_its_properties_are_read():
    core = ov.Core()
    with pytest.raises(OvmsError) as caught:
        GpuDevice().check(core, "GPU.1", {"NO_SUCH_PROPERTY_KEY": 1})
    assert caught.value.code == StatusCode.CANNOT_COMPILE_MODEL_INTO_TARGET_DEVICE
    assert "device GPU.1 is not available on this machine" in caught.value.message
    assert f"available devices: {', '.join(core.available_devices)}" in caught.value.message


@pytest.mark.skipif(PRESENT, reason="a GPU is present")
def test_describe_says_why_there_is_no_gpu():
    [row] = GpuDevice().describe(ov.Core())
    assert row["device"] == "GPU"
    assert "not available" in row["note"]


def test_members_of_a_gpu_are_none():
    assert GpuDevice().parse("GPU.1") == []
