"""``ovms devices``: what OpenVINO sees, through each installed device driver."""

from __future__ import annotations

import openvino as ov

from ovms_core.devices.availability import available_devices
from ovms_core.devices.driver import DeviceDriver
from ovms_core.plugins.drivers import DriverLoader
from ovms_core.plugins.errors import PluginError

__all__ = ["device_rows", "print_devices"]


def device_rows(core: ov.Core, drivers: DriverLoader) -> list[tuple[str, dict[str, str]]]:
    """(driver name, row) for every row every installed device driver describes."""
    rows: list[tuple[str, dict[str, str]]] = []
    for name in sorted(set(drivers.installed("device"))):
        try:
            driver: DeviceDriver = drivers.get("device", name)
            described = driver.describe(core)
        except PluginError as error:
            described = [{"device": name, "note": str(error)}]
        rows.extend((name, row) for row in described)
    return rows


def print_devices(drivers: DriverLoader) -> None:
    """Print OpenVINO's version, the devices it can use, and one block per described device."""
    core = ov.Core()
    print(f"OpenVINO {ov.get_version()}")
    print(f"available devices: {', '.join(available_devices(core)) or 'none'}")
    for driver, row in device_rows(core, drivers):
        print(f"\n{row.get('device', driver)} (driver {driver})")
        for key, value in row.items():
            if key != "device":
                print(f"  {key}: {value}")
