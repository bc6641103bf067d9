"""The ``ovms`` command: serve, validate, plugins, devices, and the commands plugins add."""

from __future__ import annotations

import argparse
import difflib
import logging
import os
import sys
from collections.abc import Sequence

from ovms_core.base.log import setup_logging
from ovms_core.base.version import backend_version, server_version
from ovms_core.cli.commands import Command, add_commands
from ovms_core.cli.inventory import print_plugins
from ovms_core.config.errors import ConfigError
from ovms_core.config.flags import add_server_flags, check_listeners, settings_from_args
from ovms_core.plugins.drivers import DriverLoader
from ovms_core.plugins.errors import PluginError
from ovms_core.server.event_loop import loop_factory, run_event_loop
from ovms_core.server.hooks import Hooks
from ovms_core.server.server import Server, frontend_names

__all__ = ["main"]

EX_USAGE = 64
PLUGIN_FLAGS = {"--workers": "ovms-workers"}
"""Flags that plugins add, with the distribution to name when one is given without it."""
BUILTIN_COMMANDS = {"serve", "validate", "plugins", "devices"}
log = logging.getLogger("ovms.cli")

DESCRIPTION = """\
A model server for OpenVINO models, compatible with OpenVINO Model Server: KServe v2 and
TensorFlow-Serving APIs over REST and gRPC, provided by plugins.

Serve one model:   ovms serve --model_name NAME --model_path DIR --rest_port 8000
Serve many:        ovms serve --config_path config.json --rest_port 8000 --port 9000
"""


class _Parser(argparse.ArgumentParser):
    def error(self, message: str) -> None:  # type: ignore[override]
        self.print_usage(sys.stderr)
        self.exit(EX_USAGE, f"{self.prog}: error: {message}\n")


class _DefaultsFormatter(argparse.HelpFormatter):
    """Help that shows each flag's default, except empty ones (unset, off, no value)."""

    def _get_help_string(self, action: argparse.Action) -> str | None:
        text = action.help or ""
        default = action.default
        if (
            action.option_strings
            and "%(default)" not in text
            and default is not None
            and default is not False
            and default not in ("", argparse.SUPPRESS)
        ):
            text += " (default: %(default)s)"
        return text


def _unrecognized(parser: argparse.ArgumentParser, extras: list[str]) -> str:
    """The error for unknown arguments: the closest flag, or the plugin a known flag needs."""
    flags = [flag for action in parser._actions for flag in action.option_strings]
    hints = []
    for extra in extras:
        name = extra.split("=", 1)[0]
        if name in PLUGIN_FLAGS:
            hints.append(f"{name}: install it with: pip install {PLUGIN_FLAGS[name]}")
        elif name.startswith("-"):
            near = difflib.get_close_matches(
                name.replace("-", "_").lstrip("_"), [f.lstrip("-") for f in flags], n=1
            )
            if near:
                hints.append(f"{name}: did you mean --{near[0]}?")
    text = f"unrecognized arguments: {' '.join(extras)}"
    return "; ".join([text, *hints])


def build_parser(
    hooks: Hooks,
) -> tuple[argparse.ArgumentParser, argparse.ArgumentParser, dict[str, Command]]:
    """The top-level parser, the ``serve`` parser and the plugin commands by name.

    ``serve`` has the options hook plugins add; a command of ``ovms.commands`` that cannot be
    added is reported on stderr and left out.
    """
    parser = _Parser(
        prog="ovms", description=DESCRIPTION, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--version", action="store_true", help="print versions and exit")
    commands = parser.add_subparsers(dest="command", metavar="COMMAND")
    serve = commands.add_parser(
        "serve",
        help="serve models",
        description="Load models and serve them until SIGTERM. Flags keep their OVMS names.",
        formatter_class=_DefaultsFormatter,
    )
    add_server_flags(serve)
    validate = commands.add_parser(
        "validate",
        help="check a configuration without serving",
        description="Parse the flags and config file, check every plugin they need, and exit.",
        formatter_class=_DefaultsFormatter,
    )
    add_server_flags(validate)
    commands.add_parser("plugins", help="list installed plugins with distribution and version")
    commands.add_parser("devices", help="list the devices OpenVINO sees, by device driver")
    plugin_commands, problems = add_commands(commands, hooks, BUILTIN_COMMANDS)
    for problem in problems:
        print(f"ovms: warning: {problem}", file=sys.stderr)
    before = {action.dest for action in serve._actions}
    hooks.add_options(parser=serve)
    extra = [a for a in serve._actions if a.dest not in before]
    for action in extra:
        validate._add_action(action)
    return parser, serve, plugin_commands


def main(argv: Sequence[str] | None = None) -> int:
    """Run the ``ovms`` command; returns the exit code."""
    args_list = list(sys.argv[1:] if argv is None else argv)
    if args_list and args_list[0].startswith("--") and args_list[0] not in ("--version", "--help"):
        args_list.insert(0, "serve")  # OVMS is started with flags only
    try:
        hooks = Hooks()
    except PluginError as error:
        print(f"ovms: {error}", file=sys.stderr)
        return 1
    parser, serve_parser, plugin_commands = build_parser(hooks)
    args, extras = parser.parse_known_args(args_list)
    if extras:
        failing = _subparser(parser, args.command) if args.command else parser
        failing.error(_unrecognized(failing, extras))
    if args.version:
        print(f"OpenVINO Model Server {server_version()}\nOpenVINO backend {backend_version()}")
        return 0
    if args.command == "plugins":
        print_plugins(hooks)
        return 0
    if args.command == "devices":
        from ovms_core.devices.report import print_devices

        print_devices(DriverLoader())
        return 0
    if args.command in plugin_commands:
        return plugin_commands[args.command].run(args)
    if args.command not in ("serve", "validate"):
        parser.print_help()
        return 0
    return _serve_or_validate(args, serve_parser, hooks, args_list)


def _serve_or_validate(
    args: argparse.Namespace, serve: argparse.ArgumentParser, hooks: Hooks, argv: list[str]
) -> int:
    extra = tuple(
        a.dest for a in serve._actions if a.dest not in _kernel_dests() and a.dest != "help"
    )
    setup_logging(args.log_level, args.log_path)
    try:
        startup = settings_from_args(args, extra)
        if args.command == "validate" and startup.config.problems:
            for problem in startup.config.problems:
                log.error("Invalid configuration: %s", problem)
            return 1
        loop_name, _ = loop_factory(startup.settings.event_loop)  # refuses a missing uvloop
        drivers = DriverLoader()
        server = Server(startup.settings, startup.config, hooks, drivers)
        server.prepare()
        check_listeners(startup.settings)
    except ConfigError as error:
        log.error("Invalid configuration: %s", error)
        return EX_USAGE if error.code.name == "OPTIONS_USAGE_ERROR" else 1
    except PluginError as error:
        log.error("%s", error)
        return 1
    if args.command == "validate":
        models = ", ".join(m.name for m in startup.config.models) or "none"
        print(
            f"Configuration is valid: models: {models}; "
            f"frontends: {', '.join(frontend_names(startup.settings)) or 'none'}"
        )
        return 0
    code = hooks.serve(argv=argv, settings=startup.settings)
    if code is not None:
        return code
    startup.config.log_problems()
    log.info("Event loop: %s", loop_name)
    try:
        run_event_loop(server.run(), startup.settings.event_loop)
    except OSError as error:
        log.error("Cannot serve: %s", error)
        return 1
    _exit_now(0)
    return 0


def _exit_now(code: int) -> None:
    """End the process once serving has stopped cleanly, skipping native teardown.

    Every model is unloaded by then; what is left are OpenVINO's and gRPC's native thread pools,
    whose destruction during interpreter finalization can abort the process ("terminate called
    without an active exception") and turn a clean stop into a failure exit code.
    """
    logging.shutdown()
    sys.stdout.flush()
    sys.stderr.flush()
    os._exit(code)


def _subparser(parser: argparse.ArgumentParser, name: str) -> argparse.ArgumentParser:
    for action in parser._actions:
        if isinstance(action, argparse._SubParsersAction):
            found: argparse.ArgumentParser = action.choices[name]
            return found
    raise KeyError(name)


def _kernel_dests() -> set[str]:
    probe = argparse.ArgumentParser()
    add_server_flags(probe)
    return {a.dest for a in probe._actions}
