"""ovms_core: the kernel of a plugin-based model server for OpenVINO models.

This module is the public API for plugins: drivers subclass the interfaces here, hook plugins
use ``hookimpl``, and frontends call the ``Dataplane`` handed to them in a ``ServerContext``.
"""

from ovms_core.bench.modes import BenchCall, BenchMode, BenchTarget
from ovms_core.config import ConfigError, ModelConfig, ServerSettings, ServingConfig
from ovms_core.dataplane.dataplane import Dataplane
from ovms_core.dataplane.types import (
    InferInput,
    InferRequest,
    InferResult,
    ModelMetadata,
    OutputTensor,
    TensorMetadata,
    VersionStatus,
)
from ovms_core.datatypes import Datatype, by_kserve_name, by_tfs_number, from_numpy
from ovms_core.errors import OvmsError
from ovms_core.models.loader import device_family
from ovms_core.models.states import VersionState
from ovms_core.plugins.hookspecs import hookimpl
from ovms_core.plugins.interfaces import DeviceDriver, Frontend, NodeDriver, StorageDriver
from ovms_core.server import ReloadOutcome
from ovms_core.server_context import ServerContext
from ovms_core.status_codes import StatusCode, http_status
from ovms_core.version import SERVER_NAME, server_version

__all__ = [
    "SERVER_NAME",
    "BenchCall",
    "BenchMode",
    "BenchTarget",
    "ConfigError",
    "Dataplane",
    "Datatype",
    "DeviceDriver",
    "Frontend",
    "InferInput",
    "InferRequest",
    "InferResult",
    "ModelConfig",
    "ModelMetadata",
    "NodeDriver",
    "OutputTensor",
    "OvmsError",
    "ReloadOutcome",
    "ServerContext",
    "ServerSettings",
    "ServingConfig",
    "StatusCode",
    "StorageDriver",
    "TensorMetadata",
    "VersionState",
    "VersionStatus",
    "by_kserve_name",
    "by_tfs_number",
    "device_family",
    "from_numpy",
    "hookimpl",
    "http_status",
    "server_version",
]
