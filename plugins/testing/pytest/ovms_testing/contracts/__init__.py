"""Contract test suites for plugin authors: subclass one in your plugin's tests.

Each suite documents the fixtures a subclass provides. Run them with pytest as usual.
"""

from ovms_testing.contracts.device import DeviceContract
from ovms_testing.contracts.frontend import FrontendContract
from ovms_testing.contracts.node import NodeContract
from ovms_testing.contracts.remote_storage import EmulatedStorage, RemoteStorageContract
from ovms_testing.contracts.storage import StorageContract

__all__ = [
    "DeviceContract",
    "EmulatedStorage",
    "FrontendContract",
    "NodeContract",
    "RemoteStorageContract",
    "StorageContract",
]
