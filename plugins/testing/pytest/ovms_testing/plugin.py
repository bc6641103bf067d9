"""The pytest plugin (entry point ``pytest11``): fixtures for tests of ovms and its plugins."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Protocol

import pytest

from ovms_testing.models import ModelRepository
from ovms_testing.server import ServerProcess

__all__ = ["Serve", "ovms_model_repository", "ovms_serve", "ovms_server"]


class Serve(Protocol):
    """Starts ``ovms serve`` with the given flags; the type of the ``ovms_serve`` fixture."""

    def __call__(
        self, *args: str, env: dict[str, str] | None = None, wait_ready: bool = True
    ) -> ServerProcess: ...


@pytest.fixture
def ovms_model_repository(tmp_path: Path) -> ModelRepository:
    """An empty model repository under ``tmp_path``: ``add`` real OpenVINO models to it."""
    return ModelRepository(tmp_path / "models")


@pytest.fixture
def ovms_serve() -> Iterator[Serve]:
    """Start ``ovms serve`` subprocesses (REST on a free port); each stops after the test.

    Call it with the server's flags; it returns the ``ServerProcess``, ready unless
    ``wait_ready=False``.
    """
    started: list[ServerProcess] = []

    def serve(
        *args: str, env: dict[str, str] | None = None, wait_ready: bool = True
    ) -> ServerProcess:
        server = ServerProcess(args, env=env, wait_ready=wait_ready)
        started.append(server)
        return server.start()

    yield serve
    for server in reversed(started):
        server.__exit__(None, None, None)


@pytest.fixture
def ovms_server(ovms_model_repository: ModelRepository, ovms_serve: Serve) -> ServerProcess:
    """A ready ``ovms serve`` with the dummy model (``a = b + 1`` on FP32 [1,10]) as ``dummy``."""
    ovms_model_repository.add("dummy")
    return ovms_serve("--config_path", str(ovms_model_repository.config_file()))
