"""``--event_loop``: which asyncio loop ``ovms serve`` runs on."""

import asyncio
import importlib.util

import pytest

from ovms_core import ConfigError, run_event_loop
from ovms_core.server.event_loop import loop_factory

HAS_UVLOOP = importlib.util.find_spec("uvloop") is not None


async def _loop_type() -> str:
    return type(asyncio.get_running_loop()).__module__


def test_asyncio_is_the_standard_loop():
    assert loop_factory("asyncio") == ("asyncio", None)
    assert run_event_loop(_loop_type(), "asyncio").startswith("asyncio")


@pytest.mark.skipif(HAS_UVLOOP, reason="uvloop is installed in this environment")
def test_without_uvloop_auto_is_asyncio_and_uvloop_is_refused():
    assert loop_factory("auto") == ("asyncio", None)
    with pytest.raises(ConfigError, match=r"pip install 'ovms-core\[uvloop\]'"):
        loop_factory("uvloop")


@pytest.mark.skipif(not HAS_UVLOOP, reason="uvloop is not installed in this environment")
def test_with_uvloop_auto_and_uvloop_run_on_it():
    name, factory = loop_factory("auto")
    assert name.startswith("uvloop ") and factory is not None
    assert run_event_loop(_loop_type()).startswith("uvloop")
    assert run_event_loop(_loop_type(), "uvloop").startswith("uvloop")
