"""What a node driver builds: one executable node of one pipeline."""

from __future__ import annotations

from abc import ABC, abstractmethod
from dataclasses import dataclass, field

import numpy as np

from ovms_core.servables.types import TensorMetadata

__all__ = ["NodeDriver", "NodeSpec", "PipelineNode"]


@dataclass(frozen=True)
class NodeSpec:
    """One ``nodes`` entry of a pipeline as a node driver receives it."""

    pipeline_name: str
    name: str
    type: str
    params: dict[str, str] = field(default_factory=dict)
    library_name: str | None = None
    """``library_name`` as written in the node (for ``python`` nodes: an import path)."""
    library_path: str | None = None
    """The ``base_path`` of the ``custom_node_library_config_list`` entry of that name, if any."""
    input_names: tuple[str, ...] = ()
    """The node inputs the pipeline connects, by name."""
    output_names: tuple[str, ...] = ()
    """The node outputs (``data_item``) the pipeline uses."""


class PipelineNode(ABC):
    """One node of a pipeline. The server calls every method from worker threads.

    Metadata uses ``TensorMetadata`` with KServe datatype names and ``-1`` for a dimension of
    any size. ``execute`` may run concurrently for several requests.
    """

    @abstractmethod
    def inputs_info(self) -> list[TensorMetadata]:
        """The inputs the node needs."""

    @abstractmethod
    def outputs_info(self) -> list[TensorMetadata]:
        """The outputs the node produces."""

    @abstractmethod
    def execute(self, inputs: dict[str, np.ndarray]) -> dict[str, np.ndarray]:
        """Outputs by name for ``inputs`` by name; raise ``OvmsError`` on failure.

        Input arrays may view other tensors' memory: never write to them. Returned arrays may
        view memory the node owns, as long as the array keeps that memory alive.
        """

    def close(self) -> None:  # noqa: B027 - optional hook, default no-op
        """Free what the node holds; called once no request uses the node any more."""


class NodeDriver(ABC):
    """A pipeline node type named by a node's ``type`` (``custom``, ``python``, ``image``...).

    The built-in type ``DL model`` runs served models and has no driver.
    """

    @abstractmethod
    def create(self, spec: NodeSpec) -> PipelineNode:
        """A node for one ``nodes`` entry; raise ``OvmsError`` when it cannot be built.

        Runs in a worker thread whenever the pipeline's configuration changes.
        """
