import openvino as ov
import pytest
from ovms_device_legacy import HddlDevice, MyriadDevice

from ovms_core import OvmsError, StatusCode
from ovms_core.plugins.drivers import DriverLoader

DRIVERS = [MyriadDevice, HddlDevice]


@pytest.mark.parametrize("driver_class", DRIVERS)
def test_registered_under_the_old_name(driver_class):
    assert isinstance(DriverLoader().get("device", driver_class.family), driver_class)


@pytest.mark.parametrize("driver_class", DRIVERS)
@pytest.mark.parametrize("suffix", ["", ".0", ".1"])
def test_every_use_fails_saying_what_to_use_instead(driver_class, suffix):
    text = driver_class.family + suffix
    for call in (
        lambda: driver_class().parse(text),
        lambda: driver_class().check(ov.Core(), text, {}),
    ):
        with pytest.raises(OvmsError) as caught:
            call()
        assert caught.value.code == StatusCode.CANNOT_COMPILE_MODEL_INTO_TARGET_DEVICE
        message = caught.value.message
        assert f"{driver_class.family} (" in message
        assert "is no longer supported" in message
        assert "removed its" in message
        assert "use target_device NPU" in message
        assert "or CPU" in message


def test_describe_explains_the_removal():
    [row] = MyriadDevice().describe(ov.Core())
    assert row["device"] == "MYRIAD"
    assert "Neural Compute Stick 2" in row["note"]
