"""The hooks of ``ovms-workers``: the ``--workers`` flag, the supervisor and each worker's peers."""

from __future__ import annotations

import argparse
import dataclasses
from collections.abc import Awaitable, Sequence

from ovms_core import ConfigError, Metrics, ServerContext, ServerSettings, StatusCode, hookimpl
from ovms_workers.identity import WorkerIdentity
from ovms_workers.peers import Peers
from ovms_workers.supervisor import supervise

__all__ = [
    "MAX_WORKERS",
    "ovms_add_options",
    "ovms_configure",
    "ovms_serve",
    "ovms_server_starting",
]

MAX_WORKERS = 256
"""Most ``--workers`` processes."""


def _count(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a non-negative integer, got {text!r}") from None
    if value < 0:
        raise argparse.ArgumentTypeError(f"expected a non-negative integer, got {text!r}")
    return value


def _workers(settings: ServerSettings) -> int:
    return int(settings.extra.get("workers", 1))


@hookimpl
def ovms_add_options(parser: argparse.ArgumentParser) -> None:
    """Add ``--workers N``."""
    group = parser.add_argument_group("worker processes (ovms-workers)")
    group.add_argument(
        "--workers",
        type=_count,
        default=1,
        help="serving processes sharing --port and --rest_port (SO_REUSEPORT), each a whole"
        " server; stateful models run in the first (this project's addition; OVMS's"
        " --grpc_workers and --rest_workers apply inside each process; default: %(default)s)",
    )


@hookimpl
def ovms_configure(settings: ServerSettings) -> None:
    """Refuse a ``--workers`` count out of range, as a usage error."""
    if not 1 <= _workers(settings) <= MAX_WORKERS:
        raise ConfigError(
            f"workers count should be from 1 to {MAX_WORKERS}", code=StatusCode.OPTIONS_USAGE_ERROR
        )


@hookimpl
def ovms_serve(argv: Sequence[str], settings: ServerSettings) -> int | None:
    """With ``--workers`` above 1, outside a worker: supervise the workers; else None."""
    count = _workers(settings)
    if count == 1 or WorkerIdentity.from_environment() is not None:
        return None
    return supervise(argv, count, settings.shutdown_timeout_seconds)


@hookimpl
def ovms_server_starting(context: ServerContext) -> Awaitable[None] | None:
    """In a worker: share the ports, and start listening for the other workers."""
    identity = WorkerIdentity.from_environment()
    if identity is None:
        return None
    context.settings = dataclasses.replace(context.settings, reuse_port=True)
    peers = Peers(
        identity,
        Metrics.of(context),
        context.dataplane,
        context.services["runners"],
        context.reload_config,
    )
    context.reload_config = peers.reload_everywhere
    return peers.start()
