"""The servable protocol: what every name a client can call resolves to.

A model (its versions), a pipeline, or any kind a plugin adds implements ``Servable``; the
dataplane resolves a name through the ``ServableSource`` of each kind and calls it, knowing no
kind by name. Stateful sequences and dynamic batching are ways a model version runs
(``ovms_core.servables.model``), not kinds of their own.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Protocol

from ovms_core.servables.types import (
    InferRequest,
    InferResult,
    ModelMetadata,
    TensorMetadata,
    VersionStatus,
)

__all__ = ["Servable", "ServableSource"]


class Servable(Protocol):
    """One served name. Version None (or 0) means the default version."""

    @property
    def name(self) -> str:
        """The served name."""
        ...

    @property
    def retired(self) -> bool:
        """Removed from the configuration: another kind's servable of this name comes first."""
        ...

    def status(self, version: int | None) -> list[VersionStatus]:
        """The status of ``version``, or of every known version when None."""
        ...

    def ready(self, version: int | None) -> bool:
        """Whether requests for ``version`` are served now (unknown versions raise)."""
        ...

    def metadata(self, version: int | None) -> ModelMetadata:
        """Inputs, outputs and versions, without waiting (``OvmsError`` when not loaded)."""
        ...

    async def request_inputs(self, version: int | None) -> tuple[int, list[TensorMetadata]]:
        """The version a request would run on and its inputs, waiting while it loads."""
        ...

    async def infer(self, request: InferRequest) -> InferResult:
        """Validate and run ``request``; the result's outputs live until it is released."""
        ...


class ServableSource(Protocol):
    """The servables of one kind, by name."""

    def get(self, name: str) -> Servable | None:
        """The servable served under ``name``, retired ones included; None when unknown."""
        ...

    def names(self) -> Iterable[str]:
        """Every name this source knows, retired ones included."""
        ...
