"""Resolving a served name across the sources of every servable kind."""

from __future__ import annotations

from collections.abc import Sequence

from ovms_core.servables.protocol import Servable, ServableSource

__all__ = ["Servables"]


class Servables:
    """The servable sources in order of precedence (models first, as OVMS has it)."""

    def __init__(self, sources: Sequence[ServableSource]) -> None:
        self.sources = tuple(sources)

    def resolve(self, name: str) -> Servable | None:
        """The first servable of ``name`` that is not retired; else the last retired one."""
        found: Servable | None = None
        for source in self.sources:
            servable = source.get(name)
            if servable is not None:
                if not servable.retired:
                    return servable
                found = servable
        return found

    def names(self) -> list[str]:
        """Every served name, sorted."""
        return sorted({name for source in self.sources for name in source.names()})
