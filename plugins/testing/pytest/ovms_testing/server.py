"""Run ``ovms serve`` as a subprocess on free ports, for end-to-end tests."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from collections.abc import Sequence
from types import TracebackType

__all__ = ["ServerProcess", "free_port"]


def free_port() -> int:
    """A TCP port that was free on 127.0.0.1 a moment ago."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


class ServerProcess:
    """``ovms serve`` with the given flags; REST on a free port unless flags set one.

    Use as a context manager: entering waits until ``/v2/health/ready`` answers 200.
    """

    def __init__(
        self,
        args: Sequence[str],
        env: dict[str, str] | None = None,
        ready_timeout: float = 120.0,
        wait_ready: bool = True,
    ) -> None:
        self.args = list(args)
        if "--rest_port" not in self.args:
            self.args += ["--rest_port", str(free_port())]
        self.rest_port = int(self.args[self.args.index("--rest_port") + 1])
        self.grpc_port = (
            int(self.args[self.args.index("--port") + 1]) if "--port" in self.args else 0
        )
        if "--rest_bind_address" not in self.args:
            self.args += ["--rest_bind_address", "127.0.0.1"]
        if self.grpc_port and "--grpc_bind_address" not in self.args:
            self.args += ["--grpc_bind_address", "127.0.0.1"]
        self.env = dict(os.environ, **(env or {}))
        self.ready_timeout = ready_timeout
        self.wait_ready = wait_ready
        handle, self._log_path = tempfile.mkstemp(prefix="ovms-log-", suffix=".txt")
        os.close(handle)
        self.process: subprocess.Popen[bytes] | None = None

    @property
    def rest_url(self) -> str:
        """``http://127.0.0.1:<rest_port>``."""
        return f"http://127.0.0.1:{self.rest_port}"

    def start(self) -> ServerProcess:
        """Start the process (and wait until ready when asked)."""
        with open(self._log_path, "wb") as log:
            self.process = subprocess.Popen(
                [sys.executable, "-m", "ovms_core", "serve", *self.args],
                stdout=log,
                stderr=subprocess.STDOUT,
                env=self.env,
            )
        if self.wait_ready:
            self.wait_until_ready()
        return self

    def wait_until_ready(self) -> None:
        """Poll the readiness endpoint; raise with the log when the process dies or times out."""
        deadline = time.monotonic() + self.ready_timeout
        while time.monotonic() < deadline:
            if self.process is not None and self.process.poll() is not None:
                raise RuntimeError(f"server exited with {self.process.returncode}:\n{self.log()}")
            try:
                with urllib.request.urlopen(f"{self.rest_url}/v2/health/ready", timeout=1) as reply:
                    if reply.status == 200:
                        return
            except (urllib.error.URLError, OSError):
                pass
            time.sleep(0.1)
        raise RuntimeError(f"server not ready after {self.ready_timeout} s:\n{self.log()}")

    def log(self) -> str:
        """Everything the server printed so far."""
        with open(self._log_path, encoding="utf-8", errors="replace") as handle:
            return handle.read()

    def stop(self, timeout: float = 30.0) -> int:
        """SIGTERM, wait, and return the exit code (SIGKILL after ``timeout``)."""
        if self.process is None:
            return 0
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            try:
                self.process.wait(timeout)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        return self.process.returncode

    def __enter__(self) -> ServerProcess:
        return self.start()

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.stop()
        os.unlink(self._log_path)
