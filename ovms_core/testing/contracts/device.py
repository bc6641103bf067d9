"""What every device driver must do."""

from __future__ import annotations

from typing import Any

import numpy as np
import openvino as ov
import pytest

from ovms_core.errors import OvmsError
from ovms_core.plugins.interfaces import DeviceDriver
from ovms_core.testing.models import dummy_model

__all__ = ["DeviceContract"]


class DeviceContract:
    """Subclass with fixtures ``driver`` and ``target_device`` (a device present here).

    Drivers for hardware that is absent set ``target_device`` to None: the suite then checks
    that ``check`` refuses it with an ``OvmsError`` naming the device.
    """

    valid_properties: dict[str, Any] = {}
    invalid_properties: dict[str, Any] = {"NO_SUCH_PROPERTY_KEY": "1"}

    @pytest.fixture
    def core(self) -> ov.Core:
        return ov.Core()

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

    def test_describe_returns_rows(self, driver: DeviceDriver, core: ov.Core) -> None:
        rows = driver.describe(core)
        assert all(isinstance(row, dict) and "device" in row for row in rows)
