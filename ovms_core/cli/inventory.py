"""``ovms plugins``: every installed driver, converter, hook plugin, hook spec and command."""

from __future__ import annotations

from ovms_core.cli.commands import COMMANDS_GROUP
from ovms_core.plugins.drivers import NAMESPACES
from ovms_core.plugins.entry_points import disabled_names, list_entries
from ovms_core.servables.conversion import CONVERTERS_GROUP
from ovms_core.servables.kind import SERVABLES_GROUP
from ovms_core.server.hooks import HOOKS_GROUP, HOOKSPECS_GROUP, Hooks

__all__ = ["plugin_rows", "print_plugins"]


def plugin_rows() -> list[tuple[str, str, str, str, str]]:
    """(group, name, distribution, version, note) for every entry point of every group."""
    disabled = disabled_names()
    rows = []
    for group in [
        *NAMESPACES.values(),
        SERVABLES_GROUP,
        CONVERTERS_GROUP,
        HOOKS_GROUP,
        HOOKSPECS_GROUP,
        COMMANDS_GROUP,
    ]:
        for entry in list_entries(group, include_disabled=True):
            note = "disabled" if entry.name in disabled else ""
            rows.append((group, entry.name, entry.distribution, entry.version, note))
    return rows


def print_plugins(hooks: Hooks) -> None:
    """Print the plugin table and which hooks each hook plugin implements."""
    rows = plugin_rows()
    header = ("GROUP", "NAME", "DISTRIBUTION", "VERSION", "")
    widths = [max(len(r[i]) for r in [header, *rows]) for i in range(4)]
    for row in [header, *rows]:
        print("  ".join(cell.ljust(widths[i]) for i, cell in enumerate(row[:4])), row[4])
    registered = {
        name: sorted(impl.name for impl in _hook_impls(hooks, plugin))
        for name, plugin in hooks.manager.list_name_plugin()
    }
    for name, impls in registered.items():
        print(f"hooks of {name}: {', '.join(impls) or 'none'}")


def _hook_impls(hooks: Hooks, plugin: object) -> list:  # type: ignore[type-arg]
    return [caller for caller in hooks.manager.get_hookcallers(plugin) or []]
