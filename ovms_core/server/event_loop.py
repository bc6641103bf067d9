"""The asyncio event loop ``ovms serve`` runs on: uvloop when installed, or the standard one.

uvloop (``pip install 'ovms-core[uvloop]'``) wakes the loop for OpenVINO completions and
gRPC events at less cost; docs/performance.md has the measurements.
"""

from __future__ import annotations

import asyncio
import importlib.metadata
import importlib.util
from collections.abc import Callable, Coroutine
from typing import Any, TypeVar

from ovms_core.base.status_codes import StatusCode
from ovms_core.config.errors import ConfigError

__all__ = ["loop_factory", "run_event_loop"]


LoopFactory = Callable[[], asyncio.AbstractEventLoop]
T = TypeVar("T")


def loop_factory(choice: str) -> tuple[str, LoopFactory | None]:
    """The loop's name and its factory (None: asyncio's own) for an ``--event_loop`` choice.

    Raises ``ConfigError`` when uvloop is asked for and not installed.
    """
    installed = importlib.util.find_spec("uvloop") is not None
    if choice == "asyncio" or (choice == "auto" and not installed):
        return "asyncio", None
    if not installed:
        raise ConfigError(
            "event_loop uvloop needs uvloop: pip install 'ovms-core[uvloop]'",
            code=StatusCode.OPTIONS_USAGE_ERROR,
        )
    import uvloop

    return f"uvloop {importlib.metadata.version('uvloop')}", uvloop.new_event_loop


def run_event_loop(main: Coroutine[Any, Any, T], choice: str = "auto") -> T:
    """Run ``main`` to completion on the ``choice`` loop, as ``asyncio.run`` does.

    Helper processes (the frontends' echo servers) use it to run on the loop the server runs on.
    """
    _, factory = loop_factory(choice)
    with asyncio.Runner(loop_factory=factory) as runner:
        return runner.run(main)
