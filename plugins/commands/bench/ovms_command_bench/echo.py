"""Transport ceilings: servers that answer every request with a recorded answer, no model.

``ovms bench`` records the real server's answer to its request, starts an echo server in a
subprocess on a free port and loads it exactly like the real one: what remains is the cost of
the transport. The echo servers live with their frontends (ovms-command-bench imports neither
Tornado nor gRPC): ``REST_ECHO_MODULE`` in the REST plugin, the gRPC one in the gRPC plugin.
"""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator, Sequence
from contextlib import contextmanager

__all__ = ["REST_ECHO_MODULE", "echo_subprocess", "encode_answer"]

READY_SECONDS = 30.0
REST_ECHO_MODULE = "ovms_frontend_rest.bench_echo"
"""Run as ``python -m REST_ECHO_MODULE PORT ANSWER_FILE``; answers from ``encode_answer``."""


def encode_answer(headers: Sequence[tuple[str, str]], body: bytes) -> bytes:
    """A recorded HTTP answer as stored for the echo server: a JSON line of headers, the body."""
    return json.dumps(list(headers)).encode() + b"\n" + body


@contextmanager
def echo_subprocess(module: str, answer: bytes | None = None) -> Iterator[int]:
    """Run ``python -m module PORT ANSWER_FILE`` until the block ends; yields the port.

    ``answer`` (any bytes the module understands) is written to ``ANSWER_FILE`` first.
    """
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = int(probe.getsockname()[1])
    with tempfile.TemporaryDirectory(prefix="ovms-echo-") as folder:
        path = os.path.join(folder, "answer")
        with open(path, "wb") as handle:
            handle.write(answer or b"")
        process = subprocess.Popen([sys.executable, "-m", module, str(port), path])
        try:
            _wait_listening(port, process)
            yield port
        finally:
            process.terminate()
            process.wait(timeout=30)


def _wait_listening(port: int, process: subprocess.Popen[bytes]) -> None:
    deadline = time.monotonic() + READY_SECONDS
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError("the echo server exited during start-up")
        try:
            socket.create_connection(("127.0.0.1", port), timeout=1).close()
            return
        except OSError:
            time.sleep(0.05)
    raise RuntimeError("the echo server did not listen in time")
