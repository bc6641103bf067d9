"""Contract test suites for plugin authors: subclass one in your plugin's tests.

Each suite documents the fixtures a subclass provides. Run them with pytest as usual.
"""

from ovms_core.testing.contracts.device import DeviceContract
from ovms_core.testing.contracts.frontend import FrontendContract
from ovms_core.testing.contracts.node import NodeContract
from ovms_core.testing.contracts.remote_storage import EmulatedStorage, RemoteStorageContract
from ovms_core.testing.contracts.storage import StorageContract

__all__ = [
    "DeviceContract",
    "EmulatedStorage",
    "FrontendContract",
    "NodeContract",
    "RemoteStorageContract",
    "StorageContract",
]
