"""Pipeline node type ``custom``: custom node libraries with the OVMS C interface.

A node names a library of ``custom_node_library_config_list`` in ``library_name``; the
library's ``.so`` is loaded once per path and shared by every node that uses it.
"""

from __future__ import annotations

import os
import threading

from ovms_core import NodeDriver, NodeSpec, OvmsError, StatusCode
from ovms_node_custom.abi import Library
from ovms_node_custom.node import CustomNode

__all__ = ["CustomNode", "CustomNodeDriver", "include_dir"]


def include_dir() -> str:
    """The folder with ``custom_node_interface.h``, for compiling libraries (``-I``)."""
    return os.path.join(os.path.dirname(__file__), "include")


class CustomNodeDriver(NodeDriver):
    """Builds ``CustomNode`` objects; libraries stay loaded for the life of the process."""

    def __init__(self) -> None:
        self._libraries: dict[str, Library] = {}
        self._lock = threading.Lock()

    def create(self, spec: NodeSpec) -> CustomNode:
        """Load (or reuse) the node's library and initialize the node with its params."""
        if spec.library_path is None:
            raise OvmsError(
                StatusCode.NODE_LIBRARY_MISSING,
                f"node: {spec.name}; library: {spec.library_name} is not in "
                "custom_node_library_config_list",
            )
        try:
            library = self._library(spec.library_path)
        except OvmsError as error:
            raise OvmsError(
                StatusCode.PIPELINE_DEFINITION_INVALID_NODE_LIBRARY,
                f"node: {spec.name}; library: {spec.library_name}; {error.message}",
            ) from None
        return CustomNode(spec.name, library, spec.params)

    def _library(self, path: str) -> Library:
        with self._lock:
            library = self._libraries.get(path)
            if library is None:
                library = Library(path)
                self._libraries[path] = library
            return library
