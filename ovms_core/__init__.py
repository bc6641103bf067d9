"""ovms_core: the kernel of a plugin-based model server for OpenVINO models.

This module is the public API for plugins: drivers subclass the interfaces here, hook plugins
use ``hookimpl``, and frontends call the ``Dataplane`` handed to them in a ``ServerContext``.
"""

# First: caps malloc arenas before numpy, OpenVINO or gRPC start threads (see heap.py).
import ovms_core.heap  # noqa: F401
from ovms_core.bench.echo import echo_subprocess
from ovms_core.bench.modes import BenchCall, BenchMode, BenchTarget
from ovms_core.config import ConfigError, ModelConfig, ServerSettings, ServingConfig
from ovms_core.conversion import InputConverter
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
from ovms_core.devices import (
    CORE_PROPERTIES,
    DeviceName,
    HardwareDevice,
    available_devices,
    check_plugin_config,
    check_property_keys,
    check_property_values,
    is_available,
    openvino_reason,
    parse_device_name,
    require_available,
    writable_properties,
)
from ovms_core.errors import OvmsError
from ovms_core.event_loop import run_event_loop
from ovms_core.metrics import Metrics
from ovms_core.models.control import ModelControl, ModelControlDisabled
from ovms_core.models.loader import device_family
from ovms_core.models.states import VersionState
from ovms_core.models.tensor_info import TensorInfo
from ovms_core.pipelines.node import NodeSpec, PipelineNode
from ovms_core.plugins.hookspecs import hookimpl
from ovms_core.plugins.interfaces import DeviceDriver, Frontend, NodeDriver, StorageDriver
from ovms_core.security import ApiKeys, TlsFiles
from ovms_core.server import ReloadOutcome
from ovms_core.server_context import ServerContext
from ovms_core.status_codes import StatusCode, http_status
from ovms_core.storage import Fault, RemoteErrors, RemoteFileSystem, RemoteStorage, RetryPolicy
from ovms_core.version import SERVER_NAME, server_version

__all__ = [
    "CORE_PROPERTIES",
    "SERVER_NAME",
    "ApiKeys",
    "BenchCall",
    "BenchMode",
    "BenchTarget",
    "ConfigError",
    "Dataplane",
    "Datatype",
    "DeviceDriver",
    "DeviceName",
    "Fault",
    "Frontend",
    "HardwareDevice",
    "InferInput",
    "InferRequest",
    "InferResult",
    "InputConverter",
    "Metrics",
    "ModelConfig",
    "ModelControl",
    "ModelControlDisabled",
    "ModelMetadata",
    "NodeDriver",
    "NodeSpec",
    "OutputTensor",
    "OvmsError",
    "PipelineNode",
    "ReloadOutcome",
    "RemoteErrors",
    "RemoteFileSystem",
    "RemoteStorage",
    "RetryPolicy",
    "ServerContext",
    "ServerSettings",
    "ServingConfig",
    "StatusCode",
    "StorageDriver",
    "TensorInfo",
    "TensorMetadata",
    "TlsFiles",
    "VersionState",
    "VersionStatus",
    "available_devices",
    "by_kserve_name",
    "by_tfs_number",
    "check_plugin_config",
    "check_property_keys",
    "check_property_values",
    "device_family",
    "echo_subprocess",
    "from_numpy",
    "hookimpl",
    "http_status",
    "is_available",
    "openvino_reason",
    "parse_device_name",
    "require_available",
    "run_event_loop",
    "server_version",
    "writable_properties",
]
