"""What an installed distribution pulls in: for tests that a plugin stays light."""

from __future__ import annotations

import importlib.util
import re
from importlib.metadata import PackageNotFoundError, distribution, requires

__all__ = ["importable", "requirement_closure"]


def requirement_closure(name: str) -> set[str]:
    """Normalised names of every installed distribution ``name`` requires, transitively.

    Requirements that apply only to an extra are left out.
    """
    seen: set[str] = set()
    pending = [name]
    while pending:
        for requirement in requires(pending.pop()) or []:
            if "extra ==" in requirement:
                continue
            dep = re.split(r"[\s\[<>=!~;(]", requirement, maxsplit=1)[0]
            dep = dep.lower().replace("_", "-").replace(".", "-")
            if dep in seen:
                continue
            seen.add(dep)
            try:
                distribution(dep)
            except PackageNotFoundError:
                continue
            pending.append(dep)
    return seen


def importable(module: str) -> bool:
    """Whether ``import module`` would find it (without importing it)."""
    try:
        return importlib.util.find_spec(module) is not None
    except ModuleNotFoundError:
        return False
