"""Subcommands of ``ovms`` from the ``ovms.commands`` entry-point group."""

from __future__ import annotations

from typing import Any

from ovms_core.plugins.entry_points import PluginEntry, list_entries
from ovms_core.plugins.hooks import Hooks
from ovms_core.plugins.interfaces import COMMANDS_GROUP, Command

__all__ = ["add_commands"]


def add_commands(
    commands: Any, hooks: Hooks, builtin: set[str]
) -> tuple[dict[str, Command], list[str]]:
    """Add one subparser per installed command to ``commands`` (an argparse subparsers action).

    Returns the commands by name and one problem text per command left out: a name that a
    built-in command or an earlier distribution already has, or a command that failed to load.
    """
    added: dict[str, Command] = {}
    problems: list[str] = []
    for entry in list_entries(COMMANDS_GROUP):
        if entry.name in builtin or entry.name in added:
            owner = "a built-in command" if entry.name in builtin else "another distribution"
            problems.append(f"{_describe(entry)} is ignored: {owner} has that name")
            continue
        try:
            command = entry.entry_point.load()()
            if not isinstance(command, Command):
                raise TypeError(f"{type(command).__name__} is not an ovms_core.Command")
            if command.hookspecs is not None:
                hooks.add_hookspecs(command.hookspecs)
            parser = commands.add_parser(entry.name, help=command.help)
            try:
                command.add_arguments(parser, hooks.manager.hook)
            except Exception:
                del commands.choices[entry.name]
                commands._choices_actions.pop()
                raise
        except Exception as error:
            problems.append(f"{_describe(entry)} failed to load: {type(error).__name__}: {error}")
            continue
        added[entry.name] = command
    return added, problems


def _describe(entry: PluginEntry) -> str:
    return (
        f"The command '{entry.name}' from distribution {entry.distribution} {entry.version} "
        f"(entry point {entry.name} = {entry.value} in {COMMANDS_GROUP})"
    )
