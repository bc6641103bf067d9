"""Start-up check of every ``target_device``: the text alone, with the drivers that own it."""

from __future__ import annotations

from ovms_core.base.errors import OvmsError
from ovms_core.base.status_codes import StatusCode
from ovms_core.config.errors import ConfigError
from ovms_core.config.serving_config import ServingConfig
from ovms_core.devices.driver import DeviceDriver
from ovms_core.models.loader import device_family
from ovms_core.plugins.drivers import DriverLoader

__all__ = ["check_target_devices"]

_MAX_DEPTH = 2


def check_target_devices(config: ServingConfig, drivers: DriverLoader) -> None:
    """Load the driver of every device each model names and let it parse the text.

    Raises ``PluginError`` for a driver that is not installed and ``ConfigError`` (naming the
    model and where its ``target_device`` is set) for a text that can never work.
    """
    for index, model in enumerate(config.models):
        try:
            _check(drivers, model.target_device, 0)
        except OvmsError as error:
            in_file = bool(config.source)
            raise ConfigError(
                f"model {model.name}: {error.message}",
                source=config.source or "command line",
                path=("model_config_list", index, "config", "target_device")
                if in_file
                else ("target_device",),
                value=model.target_device,
                code=error.code,
            ) from None


def _check(drivers: DriverLoader, target_device: str, depth: int) -> None:
    if depth > _MAX_DEPTH:
        raise OvmsError(StatusCode.DEVICE_WRONG_FORMAT, f"{target_device!r} is nested too deeply")
    driver: DeviceDriver = drivers.get("device", device_family(target_device))
    for member in driver.parse(target_device):
        _check(drivers, member, depth + 1)
