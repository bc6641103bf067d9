"""Pipeline node type ``python``: a node written as a Python class.

The node's ``library_name`` is the class's import path, ``package.module:ClassName``. The class
is instantiated with no arguments once per pipeline build and must provide::

    inputs = {"x": ("FP32", [-1, 10])}     # name -> (KServe datatype, shape; -1: any size)
    outputs = {"y": ("FP32", [-1, 10])}

    def initialize(self, params: dict[str, str]) -> None: ...   # optional
    def execute(self, inputs: dict[str, numpy.ndarray]) -> dict[str, numpy.ndarray]: ...
    def finalize(self) -> None: ...                             # optional

``inputs`` and ``outputs`` may be set by ``initialize``, from the node's ``params``.
``execute`` runs in worker threads, possibly concurrently for concurrent requests; it must not
modify its input arrays.
"""

from __future__ import annotations

import importlib
import logging
from collections.abc import Mapping
from typing import Any

import numpy as np

from ovms_core import NodeDriver, NodeSpec, OvmsError, PipelineNode, StatusCode, TensorMetadata

__all__ = ["PythonNode", "PythonNodeDriver", "load_class"]

log = logging.getLogger("ovms.nodes.python")


def load_class(path: str) -> type:
    """The class at ``package.module:ClassName`` (or ``package.module.ClassName``)."""
    module_name, _, class_name = path.partition(":") if ":" in path else path.rpartition(".")
    if not module_name or not class_name:
        raise OvmsError(
            StatusCode.PYTHON_NODE_FILE_DOES_NOT_EXIST,
            f"{path!r} is not an import path such as package.module:ClassName",
        )
    try:
        module = importlib.import_module(module_name)
    except Exception as error:  # any import failure is a configuration problem
        raise OvmsError(
            StatusCode.PYTHON_NODE_FILE_DOES_NOT_EXIST,
            f"cannot import {module_name}: {type(error).__name__}: {error}",
        ) from None
    found = getattr(module, class_name, None)
    if not isinstance(found, type):
        raise OvmsError(
            StatusCode.PYTHON_NODE_FILE_DOES_NOT_EXIST, f"{module_name} has no class {class_name}"
        )
    return found


class PythonNode(PipelineNode):
    """Adapts one instance of a user's class to the pipeline node interface."""

    def __init__(self, name: str, path: str, params: dict[str, str]) -> None:
        self.name = name
        cls = load_class(path)
        try:
            self.instance = cls()
            initialize = getattr(self.instance, "initialize", None)
            if initialize is not None:
                initialize(dict(params))
        except Exception as error:  # the user's code decides what can fail
            raise OvmsError(
                StatusCode.PYTHON_NODE_FILE_STATE_INITIALIZATION_FAILED,
                f"node: {name}; {path}: {type(error).__name__}: {error}",
            ) from None
        if not callable(getattr(self.instance, "execute", None)):
            raise OvmsError(
                StatusCode.PYTHON_NODE_FILE_STATE_INITIALIZATION_FAILED,
                f"node: {name}; {path} has no execute method",
            )
        self._inputs = self._declared("inputs")
        self._outputs = self._declared("outputs")

    def _declared(self, attribute: str) -> list[TensorMetadata]:
        raw = getattr(self.instance, attribute, None)
        if not isinstance(raw, Mapping):
            raise self._metadata_error(f"{attribute} must be a dict name -> (datatype, shape)")
        found = []
        for name, spec in raw.items():
            try:
                datatype, shape = spec
                found.append(TensorMetadata(str(name), str(datatype), [int(d) for d in shape]))
            except (TypeError, ValueError):
                raise self._metadata_error(
                    f"{attribute}[{name!r}] must be (datatype, shape), got {spec!r}"
                ) from None
        return found

    def _metadata_error(self, details: str) -> OvmsError:
        return OvmsError(StatusCode.NODE_LIBRARY_METADATA_FAILED, f"node: {self.name}; {details}")

    def inputs_info(self) -> list[TensorMetadata]:
        """The class's ``inputs``."""
        return list(self._inputs)

    def outputs_info(self) -> list[TensorMetadata]:
        """The class's ``outputs``."""
        return list(self._outputs)

    def execute(self, inputs: dict[str, np.ndarray]) -> dict[str, np.ndarray]:
        """The instance's ``execute``; an exception fails the request, not the server."""
        try:
            result: Any = self.instance.execute(inputs)
        except OvmsError:
            raise
        except Exception as error:
            log.exception("Python node %s failed", self.name)
            raise OvmsError(
                StatusCode.NODE_LIBRARY_EXECUTION_FAILED,
                f"node: {self.name}; {type(error).__name__}: {error}",
            ) from None
        if not isinstance(result, Mapping):
            raise OvmsError(
                StatusCode.NODE_LIBRARY_OUTPUTS_CORRUPTED,
                f"node: {self.name}; execute returned {type(result).__name__}, not a dict",
            )
        return {str(name): np.asarray(value) for name, value in result.items()}

    def close(self) -> None:
        """The instance's ``finalize``, if any."""
        finalize = getattr(self.instance, "finalize", None)
        if finalize is not None:
            finalize()


class PythonNodeDriver(NodeDriver):
    """Builds ``PythonNode`` objects from ``library_name`` import paths."""

    def create(self, spec: NodeSpec) -> PythonNode:
        """Import the class, create it and call ``initialize`` with the node's params."""
        if not spec.library_name:
            raise OvmsError(
                StatusCode.PYTHON_NODE_MISSING_OPTIONS,
                f"node: {spec.name}; library_name must name the class: package.module:Class",
            )
        return PythonNode(spec.name, spec.library_name, spec.params)
