"""An example third-party hook plugin: writes model version events to a JSON-lines file.

Enable it by installing the distribution and passing ``--audit_log PATH`` to ``ovms serve``.
"""

from __future__ import annotations

import argparse
import json
import time
from typing import Any

from ovms_core import OvmsError, ServerSettings, ServingConfig, hookimpl

_state: dict[str, str] = {"path": ""}


def _write(event: str, **fields: Any) -> None:
    if not _state["path"]:
        return
    with open(_state["path"], "a", encoding="utf-8") as handle:
        handle.write(json.dumps({"event": event, "time": time.time(), **fields}) + "\n")


@hookimpl
def ovms_add_options(parser: argparse.ArgumentParser) -> None:
    """Add ``--audit_log``."""
    group = parser.add_argument_group("audit (ovms-example-audit)")
    group.add_argument("--audit_log", default="", help="append model events to this file")


@hookimpl
def ovms_configure(settings: ServerSettings, config: ServingConfig) -> None:
    """Remember where to write."""
    _state["path"] = settings.extra.get("audit_log", "")
    _write("configured", models=[m.name for m in config.models])


@hookimpl
def ovms_model_version_loaded(model_name: str, version: int) -> None:
    """Record a version that became AVAILABLE."""
    _write("loaded", model=model_name, version=version)


@hookimpl
def ovms_model_version_failed(model_name: str, version: int, error: OvmsError) -> None:
    """Record a version that failed to load."""
    _write("failed", model=model_name, version=version, error=error.message)


@hookimpl
def ovms_model_version_unloaded(model_name: str, version: int) -> None:
    """Record a version that ended."""
    _write("unloaded", model=model_name, version=version)
