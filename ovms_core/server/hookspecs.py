"""Hook specifications: what plugins are told and where they may change a step.

Hooks are called with keyword arguments only and never on a request's path. Implementations
come from the ``ovms.hooks`` entry-point group; a driver object may also implement hooks.
Plugins add specifications of their own in the ``ovms.hookspecs`` group (``ovms-metrics`` adds
``ovms_register_metrics``, ``ovms-command-bench`` ``ovms_bench_modes``), marked with
``hookspec``.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import pluggy

if TYPE_CHECKING:
    import argparse
    from collections.abc import Awaitable, Sequence

    import openvino as ov

    from ovms_core.base.errors import OvmsError
    from ovms_core.config import ModelConfig, ServerSettings, ServingConfig
    from ovms_core.server.context import ServerContext

__all__ = ["PROJECT", "hookimpl", "hookspec"]

PROJECT = "ovms"
hookspec = pluggy.HookspecMarker(PROJECT)
hookimpl = pluggy.HookimplMarker(PROJECT)

# --------------------------------------------------------------------------------------------
# Command line and configuration
# --------------------------------------------------------------------------------------------


@hookspec
def ovms_add_options(parser: argparse.ArgumentParser) -> None:
    """Add command-line options to ``ovms serve``.

    Called once while the parser is built. Values reach ``ServerSettings.extra`` by option
    destination name.

    :param parser: the ``ovms serve`` parser; add an argument group of your own.
    """


@hookspec
def ovms_configure(settings: ServerSettings, config: ServingConfig) -> None:
    """Inspect the settings and the initial configuration before anything loads.

    Raise ``ovms_core.ConfigError`` to refuse the configuration; start-up stops with its text.

    :param settings: the server-wide settings.
    :param config: the servables to load.
    """


@hookspec(firstresult=True)
def ovms_serve(argv: Sequence[str], settings: ServerSettings) -> int | None:
    """Run ``ovms serve`` another way than this process serving (``ovms-workers``' supervisor).

    Called once the configuration and every plugin it needs were checked, before any model
    loads. The first implementation that returns a number ends the command with it as the exit
    code; when none does, this process serves.

    :param argv: the command's arguments (``serve`` and its flags), to start servers with.
    :param settings: the server-wide settings.
    """


# --------------------------------------------------------------------------------------------
# Server lifecycle
# --------------------------------------------------------------------------------------------


@hookspec
def ovms_server_starting(context: ServerContext) -> Awaitable[None] | None:
    """The server's parts are built; no frontend listens and no model is loaded yet.

    Implementations may replace ``context.reload_config`` (what ``POST /v1/config/reload``
    calls; keep the one replaced to call it) and ``context.settings`` (a changed copy, such as
    ``reuse_port=True``), set ``aggregate`` on ``Metrics.of(context)``, and set
    ``forward_stateful`` on ``context.services["runners"]`` (the model kind's runner cache; a
    callable ``(request, release) -> InferResult`` that runs stateful versions' requests
    elsewhere). A returned awaitable is awaited before the frontends start.

    :param context: the server's context.
    """


@hookspec
def ovms_server_started(context: ServerContext) -> None:
    """The initial configuration is loaded and every frontend listens.

    :param context: the running server's context.
    """


@hookspec
def ovms_server_stopping(context: ServerContext) -> None:
    """The server is about to stop its frontends and unload its models.

    :param context: the running server's context.
    """


@hookspec
def ovms_config_reloaded(config: ServingConfig) -> None:
    """A new configuration was applied at run time.

    :param config: the configuration now in force.
    """


# --------------------------------------------------------------------------------------------
# Model versions
# --------------------------------------------------------------------------------------------


@hookspec
def ovms_model_read(model_config: ModelConfig, version: int, model: ov.Model) -> None:
    """A model version was read and reshaped and is about to be compiled.

    Runs in a loader thread. Implementations may change ``model`` in place (for example add
    pre- or post-processing). This is also the place to wrap loading with ``wrapper=True``.

    :param model_config: the model's settings.
    :param version: the version number.
    :param model: the OpenVINO model that will be compiled.
    """


@hookspec
def ovms_model_version_loaded(model_name: str, version: int) -> None:
    """A version became AVAILABLE.

    :param model_name: the served name.
    :param version: the version number.
    """


@hookspec
def ovms_model_version_unloaded(model_name: str, version: int) -> None:
    """A version reached END and its compiled model was released.

    :param model_name: the served name.
    :param version: the version number.
    """


@hookspec
def ovms_model_version_failed(model_name: str, version: int, error: OvmsError) -> None:
    """A version failed to load; it stays in LOADING with the error's status.

    :param model_name: the served name.
    :param version: the version number.
    :param error: why it failed.
    """
