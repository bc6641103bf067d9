"""Device support shared by device drivers: names, availability, properties, execution info."""

from ovms_core.devices.availability import (
    available_devices,
    is_available,
    openvino_reason,
    require_available,
)
from ovms_core.devices.execution import ExecutionInfo, execution_info
from ovms_core.devices.hardware import HardwareDevice
from ovms_core.devices.names import DeviceName, parse_device_name
from ovms_core.devices.properties import (
    CORE_PROPERTIES,
    check_plugin_config,
    check_property_keys,
    check_property_values,
    writable_properties,
)

__all__ = [
    "CORE_PROPERTIES",
    "DeviceName",
    "ExecutionInfo",
    "HardwareDevice",
    "available_devices",
    "check_plugin_config",
    "check_property_keys",
    "check_property_values",
    "execution_info",
    "is_available",
    "openvino_reason",
    "parse_device_name",
    "require_available",
    "writable_properties",
]
