"""``ovms bench``: server throughput against in-process OpenVINO and the bare transport.

The command registers in the kernel's ``ovms.commands`` entry-point group. Plugins add load
generators through the ``ovms_bench_modes`` hook (see ``ovms_command_bench.hookspecs``),
built from the types exported here.
"""

from ovms_command_bench.echo import echo_subprocess
from ovms_command_bench.modes import BenchCall, BenchMode, BenchTarget

__all__ = ["BenchCall", "BenchMode", "BenchTarget", "echo_subprocess"]
