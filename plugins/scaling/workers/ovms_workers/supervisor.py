"""The supervisor ``ovms serve --workers N`` runs: N serving processes on the same ports.

Each worker is a complete server (``ovms serve`` with the same flags) that binds ``--port`` and
``--rest_port`` with ``SO_REUSEPORT``, so the kernel spreads new connections over the workers.
The supervisor loads no model: it starts the workers, passes SIGTERM and SIGINT on to them
(each drains as a single server does), and stops them all when one exits on its own, with that
worker's exit code, so that whatever restarts the server sees one server fail.
"""

from __future__ import annotations

import contextlib
import ctypes
import logging
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from collections.abc import Sequence
from types import FrameType

from ovms_workers.identity import ENVIRONMENT, WorkerIdentity

__all__ = ["follow_supervisor", "supervise"]

log = logging.getLogger("ovms.workers")
_POLL_SECONDS = 0.1
_STOP_MARGIN_SECONDS = 10.0
_PR_SET_PDEATHSIG = 1


def supervise(argv: Sequence[str], count: int, shutdown_timeout_seconds: float) -> int:
    """Run ``count`` workers of ``ovms <argv>`` until a signal or one exits.

    Returns the exit code: 0 after a clean stop of every worker, else the first failing one's.
    """
    stop_requested: list[int] = []

    def request_stop(signum: int, _frame: FrameType | None) -> None:
        stop_requested.append(signum)

    for signum in (signal.SIGTERM, signal.SIGINT):
        signal.signal(signum, request_stop)
    directory = tempfile.mkdtemp(prefix="ovms-workers-")  # mode 0700: this user's only
    workers: list[subprocess.Popen[bytes]] = []
    try:
        for index in range(count):
            identity = WorkerIdentity(index, count, directory)
            workers.append(_start(argv, identity))
        log.info(
            "Supervisor %d: %d workers: %s",
            os.getpid(),
            len(workers),
            ", ".join(str(w.pid) for w in workers),
        )
        failed = _wait_for_stop_or_exit(workers, stop_requested)
        if failed is not None:
            log.error(
                "Worker %d exited with %s; stopping the others", failed.pid, failed.returncode
            )
        codes = _stop(workers, shutdown_timeout_seconds + _STOP_MARGIN_SECONDS)
        if failed is not None:
            return failed.returncode if failed.returncode > 0 else 1
        return next((code for code in codes if code != 0), 0)
    finally:
        for worker in workers:
            if worker.poll() is None:
                worker.kill()
                worker.wait()
        shutil.rmtree(directory, ignore_errors=True)


def _start(argv: Sequence[str], identity: WorkerIdentity) -> subprocess.Popen[bytes]:
    environment = dict(os.environ, **{ENVIRONMENT: identity.environment_value()})
    return subprocess.Popen([sys.executable, "-m", "ovms_core", *argv], env=environment)


def follow_supervisor() -> None:
    """In a worker: get SIGTERM when the supervisor dies, even by SIGKILL (Linux only)."""
    with contextlib.suppress(OSError, AttributeError):
        ctypes.CDLL(None, use_errno=True).prctl(_PR_SET_PDEATHSIG, signal.SIGTERM)


def _wait_for_stop_or_exit(
    workers: list[subprocess.Popen[bytes]], stop_requested: list[int]
) -> subprocess.Popen[bytes] | None:
    """Wait for a stop signal (returns None) or a worker's own exit (returns that worker)."""
    while not stop_requested:
        for worker in workers:
            if worker.poll() is not None:
                return worker
        time.sleep(_POLL_SECONDS)
    log.info("Supervisor: stopping %d workers", len(workers))
    return None


def _stop(workers: list[subprocess.Popen[bytes]], bound: float) -> list[int]:
    """SIGTERM every running worker, wait up to ``bound`` seconds, then SIGKILL."""
    for worker in workers:
        if worker.poll() is None:
            worker.send_signal(signal.SIGTERM)
    deadline = time.monotonic() + bound
    codes = []
    for worker in workers:
        try:
            codes.append(worker.wait(max(0.0, deadline - time.monotonic())))
        except subprocess.TimeoutExpired:
            log.error("Worker %d still running after %.0f s; killing it", worker.pid, bound)
            worker.kill()
            codes.append(worker.wait())
    return codes
