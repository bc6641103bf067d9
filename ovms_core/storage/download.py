"""Downloading a remote folder into a private local folder, atomically, with progress in the log."""

from __future__ import annotations

import atexit
import logging
import os
import shutil
import tempfile
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import IO

__all__ = ["DownloadCache", "RemoteFile"]

log = logging.getLogger("ovms.storage")

CHUNK_BYTES = 8 * 1024 * 1024
PROGRESS_BYTES = 64 * 1024 * 1024
MIB = 1024 * 1024


@dataclass(frozen=True)
class RemoteFile:
    """One file to download: where it is, where it goes under the folder, and its size."""

    remote_path: str
    relative_path: str
    size: int


class DownloadCache:
    """Private folders of downloaded versions under one root in the system temp folder.

    A download goes into a hidden ``.partial-*`` folder that is renamed when every file is
    complete, so a half-downloaded version is never handed out. ``release`` deletes a folder;
    the root is removed when the process exits.
    """

    def __init__(self, prefix: str, progress_bytes: int = PROGRESS_BYTES) -> None:
        self.prefix = prefix
        self.progress_bytes = progress_bytes
        self._root: str | None = None
        self._lock = threading.Lock()

    @property
    def root(self) -> str:
        """The cache root, created on first use."""
        with self._lock:
            if self._root is None:
                self._root = tempfile.mkdtemp(prefix=self.prefix)
                atexit.register(shutil.rmtree, self._root, True)
            return self._root

    def download(
        self, files: list[RemoteFile], fetch: Callable[[RemoteFile, str], None], label: str
    ) -> str:
        """Download ``files`` into a new folder and return it; nothing is left on failure.

        ``fetch(file, destination)`` downloads one file, usually ``stream`` under a retry policy.
        """
        partial = tempfile.mkdtemp(prefix=".partial-", dir=self.root)
        started = time.monotonic()
        total = sum(f.size for f in files)
        log.info("Downloading %s: %d file(s), %.1f MiB", label, len(files), total / MIB)
        try:
            for item in files:
                target = os.path.join(partial, *item.relative_path.split("/"))
                os.makedirs(os.path.dirname(target), exist_ok=True)
                fetch(item, target)
            final = os.path.join(self.root, os.path.basename(partial)[len(".partial-") :])
            os.rename(partial, final)
        except BaseException:
            shutil.rmtree(partial, ignore_errors=True)
            raise
        log.info("Downloaded %s to %s in %.1f s", label, final, time.monotonic() - started)
        return final

    def stream(
        self, item: RemoteFile, target: str, open_file: Callable[[str], IO[bytes]], label: str
    ) -> None:
        """Copy one file in chunks, logging progress for large ones; checks the size."""
        done = 0
        next_report = 0.1
        large = item.size >= self.progress_bytes
        with open_file(item.remote_path) as source, open(target, "wb") as sink:
            while chunk := source.read(CHUNK_BYTES):
                sink.write(chunk)
                done += len(chunk)
                if large and done / item.size >= next_report:
                    log.info(
                        "Downloading %s: %s %.0f%% (%.1f of %.1f MiB)",
                        label,
                        item.relative_path,
                        100 * done / item.size,
                        done / MIB,
                        item.size / MIB,
                    )
                    next_report = (int(10 * done / item.size) + 1) / 10
        if done != item.size:
            raise ConnectionError(
                f"{item.remote_path}: got {done} of {item.size} bytes (connection cut?)"
            )

    def release(self, folder: str) -> None:
        """Delete a folder returned by ``download``; other paths are left alone."""
        root = self._root
        if root is None:
            return
        resolved = os.path.realpath(folder)
        if os.path.dirname(resolved) == os.path.realpath(root):
            shutil.rmtree(resolved, ignore_errors=True)
