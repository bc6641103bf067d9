"""Shared machinery for remote storage plugins: a driver over an fsspec-style filesystem.

Nothing here imports fsspec or a cloud SDK; plugins hand in the filesystem they built.
"""

from ovms_core.storage.download import DownloadCache, RemoteFile
from ovms_core.storage.remote import Fault, RemoteErrors, RemoteFileSystem, RemoteStorage
from ovms_core.storage.retry import RetryPolicy

__all__ = [
    "DownloadCache",
    "Fault",
    "RemoteErrors",
    "RemoteFile",
    "RemoteFileSystem",
    "RemoteStorage",
    "RetryPolicy",
]
