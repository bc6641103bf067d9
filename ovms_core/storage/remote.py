"""A storage driver over an fsspec-style filesystem object, shared by the cloud storage plugins.

The kernel imports no fsspec backend: a plugin builds its filesystem (``s3fs``, ``gcsfs``,
``adlfs``...) in ``connect`` and this class does the rest: listing, reading, downloading
versions into a private folder atomically, bounded retries, and OVMS status codes for faults.
"""

from __future__ import annotations

import enum
import logging
import posixpath
import threading
from abc import abstractmethod
from collections.abc import Callable
from dataclasses import dataclass
from typing import IO, Any, ClassVar, Protocol, TypeVar

from ovms_core.base.errors import OvmsError
from ovms_core.base.status_codes import StatusCode
from ovms_core.storage.download import CHUNK_BYTES, DownloadCache, RemoteFile
from ovms_core.storage.driver import StorageDriver
from ovms_core.storage.retry import RetryPolicy, describe

__all__ = ["Fault", "RemoteErrors", "RemoteFileSystem", "RemoteStorage"]

log = logging.getLogger("ovms.storage")
T = TypeVar("T")


class RemoteFileSystem(Protocol):
    """The part of an fsspec ``AbstractFileSystem`` that remote storage uses."""

    def ls(self, path: str, detail: bool = ...) -> list[Any]: ...

    def info(self, path: str) -> dict[str, Any]: ...

    def find(self, path: str, detail: bool = ...) -> Any: ...

    def cat_file(self, path: str) -> bytes: ...

    def open(self, path: str, mode: str = ..., **kwargs: Any) -> Any: ...


class Fault(enum.Enum):
    """What kind of failure a backend error is."""

    MISSING = "missing"
    DENIED = "denied"
    TRANSIENT = "transient"


@dataclass(frozen=True)
class RemoteErrors:
    """The status codes a backend reports (OVMS has one family per backend)."""

    bucket_not_found: StatusCode
    invalid_access: StatusCode
    file_not_found: StatusCode
    list_failed: StatusCode
    get_failed: StatusCode
    metadata_failed: StatusCode
    path_invalid: StatusCode


class RemoteStorage(StorageDriver):
    """Subclass, set ``scheme`` and ``errors``, and build the filesystem in ``connect``.

    URLs are ``<scheme>://<bucket>/<path>``. A missing path raises ``FileNotFoundError`` from
    ``list_dirs``/``list_files``/``read_bytes`` (as local files do); every other fault becomes an
    ``OvmsError`` with the backend's status code after at most ``retry.attempts`` tries.
    """

    scheme: ClassVar[str] = ""
    errors: ClassVar[RemoteErrors]
    retry: ClassVar[RetryPolicy] = RetryPolicy()

    def __init__(self) -> None:
        self.cache = DownloadCache(prefix=f"ovms-{self.scheme}-")
        self._fs: RemoteFileSystem | None = None
        self._fs_lock = threading.Lock()

    @abstractmethod
    def connect(self) -> RemoteFileSystem:
        """Build the filesystem from the environment (credentials, endpoint, timeouts)."""

    def classify(self, error: BaseException) -> Fault:
        """The kind of a backend error; override for SDK-specific exception types."""
        if isinstance(error, FileNotFoundError):
            return Fault.MISSING
        if isinstance(error, PermissionError):
            return Fault.DENIED
        return Fault.TRANSIENT

    @property
    def fs(self) -> RemoteFileSystem:
        """The filesystem, built on first use."""
        with self._fs_lock:
            if self._fs is None:
                try:
                    self._fs = self.connect()
                except OvmsError:
                    raise
                except Exception as error:
                    raise OvmsError(self.errors.invalid_access, describe(error)) from None
            return self._fs

    def path(self, url: str) -> str:
        """``bucket/key`` for ``scheme://bucket/key``."""
        prefix = f"{self.scheme}://"
        path = url[len(prefix) :].strip("/") if url.startswith(prefix) else ""
        if not path:
            raise OvmsError(self.errors.path_invalid, f"{url}: expected {prefix}<bucket>/<path>")
        return path

    # -- StorageDriver ---------------------------------------------------------------------

    def exists(self, url: str) -> bool:
        """Whether an object or a prefix exists at ``url``."""
        try:
            self._info(url)
        except FileNotFoundError:
            return False
        return True

    def is_dir(self, url: str) -> bool:
        """Whether ``url`` is a prefix holding objects (or a bucket)."""
        try:
            return self._info(url).get("type") == "directory"
        except FileNotFoundError:
            return False

    def list_dirs(self, url: str) -> list[str]:
        """Names of the prefixes directly under ``url``, sorted; one listing call."""
        return self._names(url, "directory")

    def list_files(self, url: str) -> list[str]:
        """Names of the objects directly under ``url``, sorted; one listing call."""
        return self._names(url, "file")

    def read_bytes(self, url: str) -> bytes:
        """The content of one object."""
        path = self.path(url)
        return self._call(lambda: self.fs.cat_file(path), url, self.errors.get_failed)

    def fetch_dir(self, url: str) -> str:
        """Download every object under ``url`` into a new private folder (atomically)."""
        path = self.path(url)
        try:
            found = self._call(
                lambda: self.fs.find(path, detail=True), url, self.errors.list_failed
            )
        except FileNotFoundError:
            found = {}
        files = [
            RemoteFile(name, name[len(path) + 1 :], int(entry.get("size") or 0))
            for name, entry in sorted(found.items())
            if entry.get("type", "file") == "file" and name.startswith(path + "/")
        ]
        if not files:
            raise OvmsError(self.errors.file_not_found, url)

        def fetch(item: RemoteFile, target: str) -> None:
            self.retry.call(
                lambda: self.cache.stream(item, target, self._open, url),
                self._retryable,
                f"Download of {self.scheme}://{item.remote_path}",
            )

        try:
            return self.cache.download(files, fetch, url)
        except OvmsError:
            raise
        except Exception as error:
            failure = self._failure(error, url, self.errors.get_failed)
            if isinstance(failure, FileNotFoundError):
                failure = OvmsError(self.errors.file_not_found, f"{url}: {describe(error)}")
            raise failure from None

    def release_dir(self, local_path: str) -> None:
        """Delete a folder made by ``fetch_dir``."""
        self.cache.release(local_path)

    # -- helpers -----------------------------------------------------------------------------

    def _open(self, remote_path: str) -> IO[bytes]:
        handle: IO[bytes] = self.fs.open(
            remote_path, "rb", block_size=CHUNK_BYTES, cache_type="none"
        )
        return handle

    def _info(self, url: str) -> dict[str, Any]:
        path = self.path(url)
        return self._call(lambda: self.fs.info(path), url, self.errors.metadata_failed)

    def _names(self, url: str, kind: str) -> list[str]:
        path = self.path(url)
        entries = self._call(lambda: self.fs.ls(path, detail=True), url, self.errors.list_failed)
        names = set()
        for entry in entries:
            name = str(entry.get("name", "")).rstrip("/")
            if name != path and entry.get("type") == kind:
                names.add(posixpath.basename(name))
        return sorted(names)

    def _retryable(self, error: BaseException) -> bool:
        return not isinstance(error, OvmsError) and self.classify(error) is Fault.TRANSIENT

    def _call(self, func: Callable[[], T], url: str, code: StatusCode) -> T:
        """``func()`` with retries; a missing path stays ``FileNotFoundError`` (bucket exists)."""
        try:
            return self.retry.call(func, self._retryable, f"{code.message} ({url})")
        except OvmsError:
            raise
        except Exception as error:
            raise self._failure(error, url, code) from None

    def _failure(self, error: Exception, url: str, code: StatusCode) -> Exception:
        fault = self.classify(error)
        if fault is Fault.MISSING:
            if not self._bucket_exists(url):
                return OvmsError(self.errors.bucket_not_found, url)
            return FileNotFoundError(url)
        if fault is Fault.DENIED:
            return OvmsError(self.errors.invalid_access, f"{url}: {describe(error)}")
        return OvmsError(code, f"{url}: {describe(error)}")

    def _bucket_exists(self, url: str) -> bool:
        bucket = self.path(url).split("/", 1)[0]
        try:
            self.fs.info(bucket)
        except Exception as error:
            return self.classify(error) is not Fault.MISSING
        return True
