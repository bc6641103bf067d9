"""Serving processes for ovms (``--workers N``): a supervisor and the channel between workers.

The ``workers`` hook plugin (entry-point group ``ovms.hooks``) adds ``--workers``; with more
than one, ``ovms serve`` supervises that many servers on the same ports (``ovms_serve``), and
each of them talks to the others over Unix sockets (``ovms_server_starting``).
"""

from ovms_workers.identity import WorkerIdentity
from ovms_workers.peers import Peers
from ovms_workers.summing import sum_texts
from ovms_workers.supervisor import supervise

__all__ = ["Peers", "WorkerIdentity", "sum_texts", "supervise"]
