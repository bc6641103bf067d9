"""Serving processes (``--workers``): a supervisor and the channel between its workers."""

from ovms_core.workers.identity import WorkerIdentity
from ovms_core.workers.peers import Peers
from ovms_core.workers.supervisor import supervise

__all__ = ["Peers", "WorkerIdentity", "supervise"]
