"""Local file-system storage for model repositories (driver name ``file``)."""

from __future__ import annotations

import os

from ovms_core import StorageDriver

__all__ = ["LocalStorage"]


def _plain(url: str) -> str:
    return url[len("file://") :] if url.startswith("file://") else url


class LocalStorage(StorageDriver):
    """Model repositories on a local or mounted file system; nothing is copied."""

    def exists(self, url: str) -> bool:
        """Whether the path exists."""
        return os.path.exists(_plain(url))

    def is_dir(self, url: str) -> bool:
        """Whether the path is a folder."""
        return os.path.isdir(_plain(url))

    def list_dirs(self, url: str) -> list[str]:
        """Sub-folder names, sorted."""
        path = _plain(url)
        return sorted(e.name for e in os.scandir(path) if e.is_dir())

    def list_files(self, url: str) -> list[str]:
        """File names, sorted."""
        path = _plain(url)
        return sorted(e.name for e in os.scandir(path) if e.is_file())

    def read_bytes(self, url: str) -> bytes:
        """The file's content."""
        with open(_plain(url), "rb") as handle:
            return handle.read()

    def fetch_dir(self, url: str) -> str:
        """The folder itself: local models are read in place."""
        return _plain(url)
