"""Errors of plugin loading, each naming what to install or which plugin failed."""

from __future__ import annotations

__all__ = ["DriverNotFound", "PluginError", "PluginLoadFailed"]


class PluginError(Exception):
    """A plugin problem that stops start-up."""


class DriverNotFound(PluginError):
    """No installed distribution provides the driver a configuration asks for."""


class PluginLoadFailed(PluginError):
    """An installed plugin could not be imported or initialised."""
