"""Subcommands of ``ovms`` that plugins add: the ``Command`` interface and its loading.

Each entry point of the ``ovms.commands`` group names a ``Command`` class; the entry-point name
is the subcommand.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from typing import TYPE_CHECKING, Any, ClassVar

from ovms_core.plugins.entry_points import PluginEntry, list_entries
from ovms_core.server.hooks import Hooks

if TYPE_CHECKING:
    import argparse

    import pluggy

__all__ = ["COMMANDS_GROUP", "Command", "add_commands"]

COMMANDS_GROUP = "ovms.commands"


class Command(ABC):
    """A subcommand of ``ovms``, registered under its name in ``ovms.commands``.

    ``ovms`` calls the class with no arguments whenever it builds its command line, so keep its
    module light and import heavy libraries in ``run``. A name that a built-in command
    (``serve``, ``validate``, ``plugins``, ``devices``) already has is ignored with a warning.
    """

    help: ClassVar[str] = ""
    """One line for ``ovms --help``."""

    @abstractmethod
    def add_arguments(self, parser: argparse.ArgumentParser, hook: pluggy.HookRelay) -> None:
        """Add the command's arguments to its ``parser``.

        ``hook`` calls hook implementations (``hook.ovms_name(arg=...)`` returns the list of
        their results), for a command that collects what plugins add.
        """

    @abstractmethod
    def run(self, args: argparse.Namespace) -> int:
        """Run with the parsed ``args``; returns the exit code."""


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
