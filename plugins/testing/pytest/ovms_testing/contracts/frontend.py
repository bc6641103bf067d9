"""Every frontend's duties: listen from ``start`` to ``stop``, share its port on ``reuse_port``."""

from __future__ import annotations

import asyncio
import dataclasses
import socket

import pytest

from ovms_core import Frontend, ServerSettings, standalone_context
from ovms_testing.server import free_port

__all__ = ["FrontendContract"]


def _accepts(port: int) -> bool:
    with socket.socket() as sock:
        sock.settimeout(1.0)
        return sock.connect_ex(("127.0.0.1", port)) == 0


class FrontendContract:
    """Subclass with fixtures ``frontend`` and ``settings_for`` (port -> ServerSettings)."""

    def test_listens_between_start_and_stop(self, frontend: Frontend, settings_for: object) -> None:
        port = free_port()
        settings = settings_for(port)  # type: ignore[operator]

        async def scenario() -> tuple[bool, bool]:
            await frontend.start(standalone_context(settings))
            listening = await asyncio.to_thread(_accepts, port)
            await frontend.stop()
            await asyncio.sleep(0.05)
            return listening, await asyncio.to_thread(_accepts, port)

        listening, after = asyncio.run(scenario())
        assert listening
        assert not after

    def test_shutdown_sequence_closes_the_listener(
        self, frontend: Frontend, settings_for: object
    ) -> None:
        """The server calls ``stop_accepting`` (optional to implement), then ``stop``."""
        port = free_port()
        settings = settings_for(port)  # type: ignore[operator]

        async def scenario() -> bool:
            await frontend.stop_accepting()  # before start: harmless
            await frontend.start(standalone_context(settings))
            await frontend.stop_accepting()
            await frontend.stop()
            await asyncio.sleep(0.05)
            return await asyncio.to_thread(_accepts, port)

        assert not asyncio.run(scenario())

    def test_reuse_port_lets_another_server_share_the_port(
        self, frontend: Frontend, settings_for: object
    ) -> None:
        """With ``reuse_port`` (other processes serve the ports) a second one binds too."""
        port = free_port()
        settings = dataclasses.replace(settings_for(port), reuse_port=True)  # type: ignore[operator]
        other = type(frontend)()

        async def scenario() -> bool:
            await frontend.start(standalone_context(settings))
            try:
                await other.start(standalone_context(settings))
                listening = await asyncio.to_thread(_accepts, port)
                await other.stop()
            finally:
                await frontend.stop()
            return listening

        assert asyncio.run(scenario())

    def test_has_a_name(self, frontend: Frontend) -> None:
        assert frontend.name

    def test_stop_without_start_is_harmless(self, frontend: Frontend) -> None:
        asyncio.run(frontend.stop())

    @pytest.fixture
    def settings_for(self) -> object:
        return lambda port: ServerSettings(rest_port=port, rest_bind_address="127.0.0.1")
