"""ovms_core: the kernel of a plugin-based model server for OpenVINO models.

This module is the public API for plugins: drivers and kinds of servable (``ServableKind``)
subclass the interfaces here, hook plugins use ``hookimpl``, and frontends call the
``Dataplane`` handed to them in a ``ServerContext``.
Run modes subclass ``RunMode`` and make ``Runner`` objects from a ``CompiledVersion`` with
``prepare``, ``SingleRunner`` and the execution pieces (``InferRequestPool``, ``input_tensor``).
"""

import importlib
import warnings
from typing import Any

# First of ours: caps malloc arenas before numpy, OpenVINO or gRPC start threads (see heap.py).
import ovms_core.base.heap  # noqa: F401
from ovms_core.base.datatypes import Datatype, by_kserve_name, by_tfs_number, from_numpy
from ovms_core.base.errors import OvmsError
from ovms_core.base.status_codes import StatusCode, http_status
from ovms_core.base.tensors import format_shape
from ovms_core.base.version import SERVER_NAME, server_version
from ovms_core.cli.commands import Command
from ovms_core.config import ConfigError, ModelConfig, ServerSettings, ServingConfig
from ovms_core.config.errors import json_path
from ovms_core.config.schema import check_object, is_int, is_list, is_obj, is_str
from ovms_core.config.shapes import Dim
from ovms_core.dataplane.dataplane import Dataplane
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
from ovms_core.devices.driver import DeviceDriver
from ovms_core.execution.input_tensor import input_tensor
from ovms_core.execution.pool import InferRequestPool, InferSlot
from ovms_core.execution.tensor_info import TensorInfo
from ovms_core.metrics import Metrics, MetricsDriver, ServedVersions, VersionLoad
from ovms_core.models.compiled import CompiledVersion
from ovms_core.models.control import ModelControl, ModelControlDisabled
from ovms_core.models.files import find_model_file
from ovms_core.models.loader import LoadedModel, device_family
from ovms_core.models.repository import list_versions
from ovms_core.models.states import VersionState
from ovms_core.plugins.drivers import DriverLoader
from ovms_core.plugins.errors import PluginError
from ovms_core.security import ApiKeys, TlsFiles
from ovms_core.servables.conversion import InputConverter
from ovms_core.servables.kind import ServableKind
from ovms_core.servables.model.access import ModelAccess, check_tensor, dims_compatible
from ovms_core.servables.model.modes import RunMode
from ovms_core.servables.model.runner import Call, Prepared, Runner, SingleRunner, prepare
from ovms_core.servables.node import NodeDriver, NodeSpec, PipelineNode
from ovms_core.servables.statistics import Statistics, StatisticsDriver, VersionStatistics
from ovms_core.servables.types import (
    InferInput,
    InferRequest,
    InferResult,
    ModelMetadata,
    OutputTensor,
    TensorMetadata,
    VersionStatus,
)
from ovms_core.servables.validation import prepare_inputs, select_outputs
from ovms_core.server.assembly import standalone_context
from ovms_core.server.context import ServerContext
from ovms_core.server.event_loop import run_event_loop
from ovms_core.server.frontend import Frontend
from ovms_core.server.hookspecs import hookimpl, hookspec
from ovms_core.server.server import ReloadOutcome
from ovms_core.storage import Fault, RemoteErrors, RemoteFileSystem, RemoteStorage, RetryPolicy
from ovms_core.storage.driver import StorageDriver

__all__ = [
    "CORE_PROPERTIES",
    "SERVER_NAME",
    "ApiKeys",
    "Call",
    "Command",
    "CompiledVersion",
    "ConfigError",
    "Dataplane",
    "Datatype",
    "DeviceDriver",
    "DeviceName",
    "Dim",
    "DriverLoader",
    "Fault",
    "Frontend",
    "HardwareDevice",
    "InferInput",
    "InferRequest",
    "InferRequestPool",
    "InferResult",
    "InferSlot",
    "InputConverter",
    "LoadedModel",
    "Metrics",
    "MetricsDriver",
    "ModelAccess",
    "ModelConfig",
    "ModelControl",
    "ModelControlDisabled",
    "ModelMetadata",
    "NodeDriver",
    "NodeSpec",
    "OutputTensor",
    "OvmsError",
    "PipelineNode",
    "PluginError",
    "Prepared",
    "ReloadOutcome",
    "RemoteErrors",
    "RemoteFileSystem",
    "RemoteStorage",
    "RetryPolicy",
    "RunMode",
    "Runner",
    "ServableKind",
    "ServedVersions",
    "ServerContext",
    "ServerSettings",
    "ServingConfig",
    "SingleRunner",
    "Statistics",
    "StatisticsDriver",
    "StatusCode",
    "StorageDriver",
    "TensorInfo",
    "TensorMetadata",
    "TlsFiles",
    "VersionLoad",
    "VersionState",
    "VersionStatistics",
    "VersionStatus",
    "available_devices",
    "by_kserve_name",
    "by_tfs_number",
    "check_object",
    "check_plugin_config",
    "check_property_keys",
    "check_property_values",
    "check_tensor",
    "device_family",
    "dims_compatible",
    "find_model_file",
    "format_shape",
    "from_numpy",
    "hookimpl",
    "hookspec",
    "http_status",
    "input_tensor",
    "is_available",
    "is_int",
    "is_list",
    "is_obj",
    "is_str",
    "json_path",
    "list_versions",
    "openvino_reason",
    "parse_device_name",
    "prepare",
    "prepare_inputs",
    "require_available",
    "run_event_loop",
    "select_outputs",
    "server_version",
    "standalone_context",
    "writable_properties",
]

# Names that moved to the ovms-command-bench distribution; imported from here they keep
# working, with a DeprecationWarning, for one release.
_MOVED_TO_OVMS_BENCH = {"BenchCall", "BenchMode", "BenchTarget", "echo_subprocess"}


def __getattr__(name: str) -> Any:
    if name not in _MOVED_TO_OVMS_BENCH:
        raise AttributeError(f"module 'ovms_core' has no attribute {name!r}")
    text = f"ovms_core.{name} moved to ovms_command_bench (distribution ovms-command-bench)"
    try:
        moved = importlib.import_module("ovms_command_bench")
    except ModuleNotFoundError:
        raise AttributeError(f"{text}, which is not installed") from None
    warnings.warn(f"{text}: import it from there", DeprecationWarning, stacklevel=2)
    return getattr(moved, name)
