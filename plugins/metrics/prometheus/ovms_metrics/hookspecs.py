"""The hook this plugin adds (entry point in ``ovms.hookspecs``)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from ovms_core import hookspec

if TYPE_CHECKING:
    from prometheus_client import CollectorRegistry

__all__ = ["ovms_register_metrics"]


@hookspec
def ovms_register_metrics(registry: CollectorRegistry) -> None:
    """Add metric families to the server's Prometheus registry.

    Called once at start-up, only when metrics are enabled; the families appear on
    ``/metrics`` after the OVMS ones. Update them off the request path (or cheaply).

    :param registry: a ``prometheus_client.CollectorRegistry``.
    """
