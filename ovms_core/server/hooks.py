"""The hook plugin manager and a typed facade over its calls."""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING, Any

import pluggy

from ovms_core.plugins.entry_points import list_entries
from ovms_core.plugins.errors import PluginLoadFailed
from ovms_core.server import hookspecs

if TYPE_CHECKING:
    import argparse
    from collections.abc import Awaitable, Sequence
    from types import ModuleType

    import openvino as ov

    from ovms_core.base.errors import OvmsError
    from ovms_core.config import ModelConfig, ServerSettings, ServingConfig
    from ovms_core.server.context import ServerContext

__all__ = ["HOOKSPECS_GROUP", "HOOKS_GROUP", "Hooks"]

HOOKS_GROUP = "ovms.hooks"
HOOKSPECS_GROUP = "ovms.hookspecs"
"""Modules or classes of hook specifications that plugins add (the metrics plugin's, say); added
before any hook plugin loads, even when ``OVMS_DISABLE_PLUGINS`` names them (they run nothing)."""
log = logging.getLogger("ovms.plugins")


class Hooks:
    """Owns the pluggy manager; each method calls one hook with keyword arguments."""

    def __init__(self, load_entry_points: bool = True) -> None:
        self.manager = pluggy.PluginManager(hookspecs.PROJECT)
        self.manager.add_hookspecs(hookspecs)
        if load_entry_points:
            self._load_hookspecs()
            self._load_entry_points()
        self.manager.check_pending()

    def _load_hookspecs(self) -> None:
        for entry in list_entries(HOOKSPECS_GROUP, include_disabled=True):
            try:
                self.add_hookspecs(entry.entry_point.load())
            except Exception as error:
                raise PluginLoadFailed(
                    f"The hook specifications '{entry.name}' from distribution "
                    f"{entry.distribution} (entry point {entry.name} = {entry.value} in "
                    f"{HOOKSPECS_GROUP}) failed to load: {type(error).__name__}: {error}"
                ) from error

    def _load_entry_points(self) -> None:
        for entry in list_entries(HOOKS_GROUP):
            try:
                plugin = entry.entry_point.load()
                self.manager.register(plugin, name=entry.name)
            except Exception as error:
                raise PluginLoadFailed(
                    f"The hook plugin '{entry.name}' from distribution {entry.distribution} "
                    f"(entry point {entry.name} = {entry.value} in {HOOKS_GROUP}) failed to "
                    f"load: {type(error).__name__}: {error}"
                ) from error

    def register(self, plugin: Any, name: str | None = None) -> None:
        """Register an in-process plugin object (a driver carrying hook implementations)."""
        if self.manager.is_registered(plugin):
            return
        self.manager.register(plugin, name=name)
        self.manager.check_pending()

    def add_hookspecs(self, module: ModuleType) -> None:
        """Add hook specifications (what the ``ovms.hookspecs`` group names).

        Implementations registered before are checked against them: pluggy's
        ``PluginValidationError`` names a mismatch.
        """
        self.manager.add_hookspecs(module)

    def names(self) -> list[str]:
        """Names of the registered hook plugins."""
        return [name for name, _ in self.manager.list_name_plugin()]

    def add_options(self, parser: argparse.ArgumentParser) -> None:
        """Call ``ovms_add_options``."""
        self.manager.hook.ovms_add_options(parser=parser)

    def configure(self, settings: ServerSettings, config: ServingConfig) -> None:
        """Call ``ovms_configure``."""
        self.manager.hook.ovms_configure(settings=settings, config=config)

    def serve(self, argv: Sequence[str], settings: ServerSettings) -> int | None:
        """Call ``ovms_serve``: the exit code of a plugin that served, or None."""
        code: int | None = self.manager.hook.ovms_serve(argv=argv, settings=settings)
        return code

    def server_starting(self, context: ServerContext) -> list[Awaitable[None]]:
        """Call ``ovms_server_starting``; returns the awaitables implementations gave."""
        pending: list[Awaitable[None]] = self.manager.hook.ovms_server_starting(context=context)
        return pending

    def server_started(self, context: ServerContext) -> None:
        """Call ``ovms_server_started``."""
        self.manager.hook.ovms_server_started(context=context)

    def server_stopping(self, context: ServerContext) -> None:
        """Call ``ovms_server_stopping``."""
        self.manager.hook.ovms_server_stopping(context=context)

    def config_reloaded(self, config: ServingConfig) -> None:
        """Call ``ovms_config_reloaded``."""
        self.manager.hook.ovms_config_reloaded(config=config)

    def model_read(self, model_config: ModelConfig, version: int, model: ov.Model) -> None:
        """Call ``ovms_model_read``."""
        self.manager.hook.ovms_model_read(model_config=model_config, version=version, model=model)

    def model_version_loaded(self, model_name: str, version: int) -> None:
        """Call ``ovms_model_version_loaded``."""
        self.manager.hook.ovms_model_version_loaded(model_name=model_name, version=version)

    def model_version_unloaded(self, model_name: str, version: int) -> None:
        """Call ``ovms_model_version_unloaded``."""
        self.manager.hook.ovms_model_version_unloaded(model_name=model_name, version=version)

    def model_version_failed(self, model_name: str, version: int, error: OvmsError) -> None:
        """Call ``ovms_model_version_failed``."""
        self.manager.hook.ovms_model_version_failed(
            model_name=model_name, version=version, error=error
        )
