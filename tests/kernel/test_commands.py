"""Subcommands from ``ovms.commands``: a third-party distribution on the path, run as ``ovms``."""

import importlib.util
import os
import subprocess
import sys
import textwrap

import pytest

import ovms_core

COMMAND = """
from ovms_core import Command


class Hello(Command):
    help = "greet everyone the hook plugins name"

    def add_arguments(self, parser, hook):
        names = [name for found in hook.ovms_hello_names() for name in found]
        parser.add_argument("--greeting", default="hello")
        parser.set_defaults(names=names)

    def run(self, args):
        print(f"{args.greeting} {' and '.join(args.names)}")
        return 3


class NotACommand:
    pass


class Failing(Command):
    help = "fails while its arguments are added"

    def add_arguments(self, parser, hook):
        raise RuntimeError("no arguments today")

    def run(self, args):
        return 0
"""
SPECS = '''
from ovms_core import hookspec


@hookspec
def ovms_hello_names():
    """Names to greet."""
'''
HOOKS = """
from ovms_core import hookimpl


@hookimpl(optionalhook=True)
def ovms_hello_names():
    return ["world"]
"""
ENTRY_POINTS = """
[ovms.commands]
hello = fake_commands:Hello
serve = fake_commands:Hello
broken = fake_commands_missing:Hello
odd = fake_commands:NotACommand
failing = fake_commands:Failing

[ovms.hooks]
fake-hello = fake_commands.hooks

[ovms.hookspecs]
fake-hello = fake_commands.specs
"""


@pytest.fixture(scope="module")
def path(tmp_path_factory):
    root = tmp_path_factory.mktemp("site")
    package = root / "fake_commands"
    package.mkdir()
    (package / "__init__.py").write_text(COMMAND)
    (package / "specs.py").write_text(SPECS)
    (package / "hooks.py").write_text(HOOKS)
    info = root / "fake_commands-2.5.dist-info"
    info.mkdir()
    (info / "METADATA").write_text("Metadata-Version: 2.1\nName: fake-commands\nVersion: 2.5\n")
    (info / "entry_points.txt").write_text(textwrap.dedent(ENTRY_POINTS))
    return str(root)


def _ovms(path, *args):
    env = dict(
        os.environ, PYTHONPATH=os.pathsep.join(filter(None, [path, os.environ.get("PYTHONPATH")]))
    )
    return subprocess.run(
        [sys.executable, "-m", "ovms_core", *args],
        capture_output=True,
        text=True,
        timeout=60,
        env=env,
    )


def test_a_plugin_command_runs_with_the_hooks_it_specifies(path):
    done = _ovms(path, "hello", "--greeting", "hi")
    assert (done.returncode, done.stdout) == (3, "hi world\n")


def test_plugin_commands_are_in_the_help_and_the_plugin_list(path):
    assert "greet everyone the hook plugins name" in _ovms(path, "--help").stdout
    listed = _ovms(path, "plugins").stdout.splitlines()
    row = next(
        line.split() for line in listed if line.startswith("ovms.commands") and " hello " in line
    )
    assert row == ["ovms.commands", "hello", "fake-commands", "2.5"]


def test_clashing_and_broken_commands_are_reported_and_left_out(path):
    done = _ovms(path, "plugins")
    assert done.returncode == 0
    warnings = [line for line in done.stderr.splitlines() if line.startswith("ovms: warning:")]
    assert len(warnings) == 4, done.stderr
    assert "Traceback" not in done.stderr
    text = "\n".join(warnings)
    assert (
        "The command 'serve' from distribution fake-commands 2.5 (entry point serve = "
        "fake_commands:Hello in ovms.commands) is ignored: a built-in command has that name"
    ) in text
    assert "'broken' from distribution fake-commands 2.5" in text
    assert "failed to load: ModuleNotFoundError: No module named 'fake_commands_missing'" in text
    assert "'odd' from distribution fake-commands 2.5" in text
    assert "TypeError: NotACommand is not an ovms_core.Command" in text
    assert "'failing' from distribution fake-commands 2.5" in text
    assert "failed to load: RuntimeError: no arguments today" in text


def test_the_built_in_command_wins_a_clash(path):
    done = _ovms(path, "serve", "--greeting", "hi")
    assert done.returncode == 64
    assert "unrecognized arguments: --greeting hi" in done.stderr


@pytest.mark.parametrize("name", ["broken", "failing"])
def test_a_broken_command_is_not_offered(path, name):
    assert name not in _ovms(path, "--help").stdout
    done = _ovms(path, name)
    assert done.returncode == 64
    assert f"invalid choice: '{name}'" in done.stderr


def test_without_plugin_commands_nothing_is_reported():
    done = subprocess.run(
        [sys.executable, "-m", "ovms_core", "plugins"], capture_output=True, text=True, timeout=60
    )
    assert done.returncode == 0 and "warning" not in done.stderr


def test_moved_bench_names_say_where_they_went():
    if importlib.util.find_spec("ovms_command_bench"):
        pytest.skip("ovms-command-bench is installed: its tests check the names")
    moved = r"BenchMode moved to ovms_command_bench .* not installed"
    with pytest.raises(AttributeError, match=moved):
        ovms_core.BenchMode  # noqa: B018
