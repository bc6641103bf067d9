"""Run a helper service (a storage emulator...) as a subprocess on a free 127.0.0.1 port."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import tempfile
import time
from collections.abc import Callable, Sequence
from types import TracebackType

from ovms_testing.server import free_port

__all__ = ["ServiceProcess", "free_port"]


class ServiceProcess:
    """A command that listens on ``port``; ``command(port)`` builds its argument list.

    ``start`` waits until the port accepts connections; ``stop`` and ``start`` again restart
    it on the same port (to test outages). Output goes to a log file, read with ``log()``.
    """

    def __init__(
        self,
        command: Callable[[int], Sequence[str]],
        env: dict[str, str] | None = None,
        port: int = 0,
        ready_timeout: float = 60.0,
    ) -> None:
        self.command = command
        self.port = port or free_port()
        self.env = dict(os.environ, **(env or {}))
        self.ready_timeout = ready_timeout
        handle, self._log_path = tempfile.mkstemp(prefix="ovms-service-", suffix=".txt")
        os.close(handle)
        self.process: subprocess.Popen[bytes] | None = None

    @property
    def url(self) -> str:
        """``http://127.0.0.1:<port>``."""
        return f"http://127.0.0.1:{self.port}"

    def start(self) -> ServiceProcess:
        """Start the command and wait until its port accepts connections."""
        with open(self._log_path, "ab") as log:
            self.process = subprocess.Popen(
                list(self.command(self.port)),
                stdout=log,
                stderr=subprocess.STDOUT,
                stdin=subprocess.DEVNULL,
                env=self.env,
                start_new_session=True,
            )
        deadline = time.monotonic() + self.ready_timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"service exited with {self.process.returncode}:\n{self.log()}")
            try:
                with socket.create_connection(("127.0.0.1", self.port), timeout=1):
                    return self
            except OSError:
                time.sleep(0.1)
        self.stop()
        raise RuntimeError(f"service not listening after {self.ready_timeout} s:\n{self.log()}")

    def stop(self, timeout: float = 10.0) -> None:
        """Terminate the process group (kill after ``timeout``) and wait for it."""
        process, self.process = self.process, None
        if process is None or process.poll() is not None:
            return
        os.killpg(process.pid, signal.SIGTERM)
        try:
            process.wait(timeout)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait()

    def log(self) -> str:
        """Everything the service printed so far."""
        with open(self._log_path, encoding="utf-8", errors="replace") as handle:
            return handle.read()

    def __enter__(self) -> ServiceProcess:
        return self.start()

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.stop()
        os.unlink(self._log_path)
