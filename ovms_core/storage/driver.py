"""The storage driver interface: one driver per URL scheme, from the ``ovms.storage`` group."""

from __future__ import annotations

from abc import ABC, abstractmethod

__all__ = ["StorageDriver"]


class StorageDriver(ABC):
    """Reads a model repository at URLs of one scheme (``file``, ``s3``, ``gs``, ``az``...).

    Paths handed to a driver are full URLs for remote schemes and plain paths for ``file``.
    """

    @abstractmethod
    def exists(self, url: str) -> bool:
        """Whether anything exists at ``url``."""

    @abstractmethod
    def is_dir(self, url: str) -> bool:
        """Whether ``url`` is a folder (a prefix holding objects, for object stores)."""

    @abstractmethod
    def list_dirs(self, url: str) -> list[str]:
        """Names (not paths) of the sub-folders directly under ``url``.

        Raises ``FileNotFoundError`` when ``url`` does not exist. Polling calls this once per
        model and poll, so remote drivers should make it a single listing request.
        """

    @abstractmethod
    def list_files(self, url: str) -> list[str]:
        """Names (not paths) of the files directly under ``url`` (``FileNotFoundError``: absent)."""

    @abstractmethod
    def read_bytes(self, url: str) -> bytes:
        """The content of one file."""

    @abstractmethod
    def fetch_dir(self, url: str) -> str:
        """A local folder with the content of ``url`` (the folder itself for local storage).

        Remote drivers download into a private folder, atomically; ``release_dir`` removes it.
        """

    def release_dir(self, local_path: str) -> None:  # noqa: B027 - optional hook, default no-op
        """Forget a folder returned by ``fetch_dir`` (remote drivers delete their copy)."""

    @staticmethod
    def join(url: str, *names: str) -> str:
        """Join path components with ``/``."""
        return "/".join([url.rstrip("/"), *names])
