"""The hook of ``ovms bench``: load generators that plugins add.

The kernel adds this module to its plugin manager when it loads the ``bench`` command, so the
hook exists only where ovms-command-bench is installed: implement it with
``@hookimpl(optionalhook=True)`` so that the plugin also loads without ovms-command-bench.
"""

from __future__ import annotations

from types import ModuleType
from typing import TYPE_CHECKING

from ovms_core import hookspec

if TYPE_CHECKING:
    from ovms_command_bench.modes import BenchMode

__all__ = ["ovms_bench_modes"]


@hookspec
def ovms_bench_modes(bench: ModuleType) -> dict[str, BenchMode]:  # type: ignore[empty-body]
    """Load generators that ``ovms bench --modes`` can use, by mode name.

    Called once when ``ovms`` builds its command line; every plugin's modes are merged. Import
    client libraries inside ``BenchMode.connect``, not at module level: every ``ovms`` command
    loads hook plugins.

    :param bench: the ``ovms_command_bench`` package: build modes with ``bench.BenchMode`` and start
        echo servers with ``bench.echo_subprocess``, so that a plugin adding modes does not
        import ovms_command_bench itself.
    :return: mode name (such as ``kserve-grpc``) -> ``ovms_command_bench.BenchMode``.
    """
