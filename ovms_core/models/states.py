"""Version states with the OVMS numbering."""

from __future__ import annotations

from enum import IntEnum

__all__ = ["VersionState"]


class VersionState(IntEnum):
    """The lifecycle of one model version."""

    START = 10
    LOADING = 20
    AVAILABLE = 30
    UNLOADING = 40
    END = 50
