"""Listing entry points without importing them."""

from __future__ import annotations

import os
from dataclasses import dataclass
from importlib.metadata import EntryPoint, entry_points

__all__ = ["DISABLE_ENV", "PluginEntry", "disabled_names", "list_entries"]

DISABLE_ENV = "OVMS_DISABLE_PLUGINS"


@dataclass(frozen=True)
class PluginEntry:
    """One registered entry point and the distribution that ships it."""

    group: str
    name: str
    value: str
    distribution: str
    version: str
    entry_point: EntryPoint

    def describe(self) -> str:
        """``name = value`` from ``distribution version``."""
        return f"{self.name} = {self.value} (from {self.distribution} {self.version})"


def disabled_names() -> set[str]:
    """Plugin names listed in ``OVMS_DISABLE_PLUGINS`` (comma separated)."""
    return {n.strip() for n in os.environ.get(DISABLE_ENV, "").split(",") if n.strip()}


def list_entries(group: str, include_disabled: bool = False) -> list[PluginEntry]:
    """Entry points of ``group`` sorted by name, skipping disabled names unless asked."""
    disabled = set() if include_disabled else disabled_names()
    found = []
    for ep in entry_points(group=group):
        if ep.name in disabled:
            continue
        dist = ep.dist
        found.append(
            PluginEntry(
                group=group,
                name=ep.name,
                value=ep.value,
                distribution=dist.metadata["Name"] if dist else "unknown",
                version=dist.version if dist else "unknown",
                entry_point=ep,
            )
        )
    return sorted(found, key=lambda e: e.name)
