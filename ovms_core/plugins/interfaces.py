"""The driver interfaces: one implementation per name, chosen by the configuration.

Each kind is an entry-point namespace; the entry-point name is the driver name and the object it
points to is a class (or factory) called with no arguments. ``Command`` is the same for the
subcommands of ``ovms`` (group ``ovms.commands``, entry-point name = subcommand).
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from typing import TYPE_CHECKING, Any, ClassVar

if TYPE_CHECKING:
    import argparse
    from types import ModuleType

    import openvino as ov
    import pluggy

    from ovms_core.pipelines.node import NodeSpec, PipelineNode
    from ovms_core.server_context import ServerContext

__all__ = [
    "COMMANDS_GROUP",
    "NAMESPACES",
    "Command",
    "DeviceDriver",
    "Frontend",
    "NodeDriver",
    "StorageDriver",
]

NAMESPACES = {
    "storage": "ovms.storage",
    "frontend": "ovms.frontends",
    "device": "ovms.devices",
    "node": "ovms.nodes",
}
COMMANDS_GROUP = "ovms.commands"


class StorageDriver(ABC):
    """Reads a model repository at URLs of one scheme (``file``, ``s3``, ``gs``, ``az``...).

    Paths handed to a driver are full URLs for remote schemes and plain paths for ``file``.
    """

    @abstractmethod
    def exists(self, url: str) -> bool:
        """Whether anything exists at ``url``."""

    @abstractmethod
    def is_dir(self, url: str) -> bool:
        """Whether ``url`` is a folder (a prefix holding objects, for object stores)."""

    @abstractmethod
    def list_dirs(self, url: str) -> list[str]:
        """Names (not paths) of the sub-folders directly under ``url``.

        Raises ``FileNotFoundError`` when ``url`` does not exist. Polling calls this once per
        model and poll, so remote drivers should make it a single listing request.
        """

    @abstractmethod
    def list_files(self, url: str) -> list[str]:
        """Names (not paths) of the files directly under ``url`` (``FileNotFoundError``: absent)."""

    @abstractmethod
    def read_bytes(self, url: str) -> bytes:
        """The content of one file."""

    @abstractmethod
    def fetch_dir(self, url: str) -> str:
        """A local folder with the content of ``url`` (the folder itself for local storage).

        Remote drivers download into a private folder, atomically; ``release_dir`` removes it.
        """

    def release_dir(self, local_path: str) -> None:  # noqa: B027 - optional hook, default no-op
        """Forget a folder returned by ``fetch_dir`` (remote drivers delete their copy)."""

    @staticmethod
    def join(url: str, *names: str) -> str:
        """Join path components with ``/``."""
        return "/".join([url.rstrip("/"), *names])


class DeviceDriver(ABC):
    """Compiles models for one device family named by the text of ``target_device``.

    The family is the part before ``:``, ``.`` or ``(``: ``MULTI:CPU,GPU`` is ``MULTI``, ``GPU.1``
    is ``GPU``, ``BATCH:CPU(16)`` is ``BATCH``.
    """

    def parse(self, target_device: str) -> list[str]:
        """Check the text of ``target_device`` without touching hardware (at start-up).

        Returns the devices a virtual device is made of (``MULTI:CPU,GPU`` gives ``CPU`` and
        ``GPU``), which the kernel checks with their own drivers; physical devices return none.
        Raises ``OvmsError`` when the text can never work.
        """
        return []

    @abstractmethod
    def check(self, core: ov.Core, target_device: str, properties: dict[str, Any]) -> None:
        """Raise ``OvmsError`` when the device is absent or the properties are invalid."""

    def compile(
        self, core: ov.Core, model: ov.Model, target_device: str, properties: dict[str, Any]
    ) -> ov.CompiledModel:
        """Compile ``model`` for ``target_device`` with OpenVINO ``properties``."""
        return core.compile_model(model, target_device, properties)

    def describe(self, core: ov.Core) -> list[dict[str, str]]:
        """What this driver sees on the machine: one dict per device, for ``ovms devices``."""
        return []


class Frontend(ABC):
    """A network API served on the server's event loop (REST, gRPC...)."""

    name: ClassVar[str] = ""

    @abstractmethod
    async def start(self, context: ServerContext) -> None:
        """Start listening; return once the listener accepts connections."""

    async def stop_accepting(self) -> None:  # noqa: B027 - optional step, default no-op
        """Stop accepting new connections; calls already running go on.

        Called at shutdown before the server waits for running requests; ``stop`` follows.
        """

    @abstractmethod
    async def stop(self) -> None:
        """Stop accepting new calls and close the listener."""


class NodeDriver(ABC):
    """A pipeline node type named by a node's ``type`` (``custom``, ``python``, ``image``...).

    The built-in type ``DL model`` runs served models and has no driver.
    """

    @abstractmethod
    def create(self, spec: NodeSpec) -> PipelineNode:
        """A node for one ``nodes`` entry; raise ``OvmsError`` when it cannot be built.

        Runs in a worker thread whenever the pipeline's configuration changes.
        """


class Command(ABC):
    """A subcommand of ``ovms``, registered under its name in ``ovms.commands``.

    ``ovms`` calls the class with no arguments whenever it builds its command line, so keep its
    module light and import heavy libraries in ``run``. A name that a built-in command
    (``serve``, ``validate``, ``plugins``, ``devices``) already has is ignored with a warning.
    """

    help: ClassVar[str] = ""
    """One line for ``ovms --help``."""
    hookspecs: ClassVar[ModuleType | None] = None
    """A module of ``ovms_core.hookspec`` functions that plugins may implement for this command;
    ``ovms`` adds it to the plugin manager before ``add_arguments``. Implementations use
    ``@hookimpl(optionalhook=True)``, as the hook exists only while the command is installed."""

    @abstractmethod
    def add_arguments(self, parser: argparse.ArgumentParser, hook: pluggy.HookRelay) -> None:
        """Add the command's arguments to its ``parser``.

        ``hook`` calls hook implementations (``hook.ovms_name(arg=...)`` returns the list of
        their results), for a command that collects what plugins add.
        """

    @abstractmethod
    def run(self, args: argparse.Namespace) -> int:
        """Run with the parsed ``args``; returns the exit code."""
