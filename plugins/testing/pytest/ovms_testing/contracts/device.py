"""What every device driver must do."""

from __future__ import annotations

from typing import Any

import numpy as np
import openvino as ov
import pytest

from ovms_core import DeviceDriver, OvmsError, StatusCode
from ovms_testing.models import dummy_model

__all__ = ["DeviceContract"]


class DeviceContract:
    """Subclass with fixtures ``driver`` and ``target_device`` (a device present here).

    Drivers for hardware that is absent set ``target_device`` to None and give a target in
    ``absent_target_device``: the suite then checks that ``check`` refuses it with an error
    naming the device and the devices this machine has. ``valid_syntax`` and
    ``invalid_syntax`` are ``target_device`` texts that ``parse`` must accept or refuse; they
    need no hardware.
    """

    valid_properties: dict[str, Any] = {}
    invalid_properties: dict[str, Any] = {"NO_SUCH_PROPERTY_KEY": "1"}
    invalid_values: dict[str, Any] = {"PERFORMANCE_HINT": "NO_SUCH_HINT"}
    valid_syntax: tuple[str, ...] = ()
    invalid_syntax: tuple[str, ...] = ()

    @pytest.fixture
    def core(self) -> ov.Core:
        return ov.Core()

    @pytest.fixture
    def absent_target_device(self) -> str | None:
        return None

    def test_compiles_and_infers(
        self, driver: DeviceDriver, target_device: str | None, core: ov.Core
    ) -> None:
        if target_device is None:
            pytest.skip("device absent on this machine")
        properties = dict(self.valid_properties)
        driver.check(core, target_device, properties)
        compiled = driver.compile(core, dummy_model(), target_device, properties)
        result = compiled(np.arange(10, dtype=np.float32).reshape(1, 10))[0]
        np.testing.assert_array_equal(result, np.arange(1, 11, dtype=np.float32).reshape(1, 10))

    def test_rejects_unknown_property(
        self, driver: DeviceDriver, target_device: str | None, core: ov.Core
    ) -> None:
        if target_device is None:
            pytest.skip("device absent on this machine")
        with pytest.raises(OvmsError) as caught:
            driver.check(core, target_device, dict(self.invalid_properties))
        assert "NO_SUCH_PROPERTY_KEY" in caught.value.message

    def test_rejects_bad_property_value(
        self, driver: DeviceDriver, target_device: str | None, core: ov.Core
    ) -> None:
        if target_device is None:
            pytest.skip("device absent on this machine")
        with pytest.raises(OvmsError) as caught:
            driver.check(core, target_device, dict(self.invalid_values))
        assert caught.value.code == StatusCode.PLUGIN_CONFIG_WRONG_FORMAT
        for key, value in self.invalid_values.items():
            assert key in caught.value.message
            assert str(value) in caught.value.message

    def test_absent_device_names_the_available_ones(
        self, driver: DeviceDriver, absent_target_device: str | None, core: ov.Core
    ) -> None:
        if absent_target_device is None:
            pytest.skip("no absent device to try")
        with pytest.raises(OvmsError) as caught:
            driver.check(core, absent_target_device, {})
        assert caught.value.code == StatusCode.CANNOT_COMPILE_MODEL_INTO_TARGET_DEVICE
        assert "not available" in caught.value.message
        for device in core.available_devices:
            assert device in caught.value.message

    def test_parses_valid_syntax(self, driver: DeviceDriver) -> None:
        for text in self.valid_syntax:
            members = driver.parse(text)
            assert all(isinstance(member, str) for member in members), text

    def test_refuses_invalid_syntax(self, driver: DeviceDriver) -> None:
        for text in self.invalid_syntax:
            with pytest.raises(OvmsError) as caught:
                driver.parse(text)
                pytest.fail(f"parse accepted {text!r}")
            assert caught.value.code == StatusCode.DEVICE_WRONG_FORMAT, text

    def test_describe_returns_rows(self, driver: DeviceDriver, core: ov.Core) -> None:
        rows = driver.describe(core)
        assert all(isinstance(row, dict) and "device" in row for row in rows)
