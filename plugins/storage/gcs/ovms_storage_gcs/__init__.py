"""Model repositories on Google Cloud Storage (driver ``gs``).

``GOOGLE_APPLICATION_CREDENTIALS`` names a service-account key file; without it access is
anonymous (public buckets). ``STORAGE_EMULATOR_HOST`` points at an emulator instead of Google.
"""

from __future__ import annotations

import os
from typing import Any

from ovms_core import Fault, RemoteErrors, RemoteFileSystem, RemoteStorage, StatusCode

__all__ = ["GCSStorage", "gcs_options"]

CONNECT_TIMEOUT = 5
READ_TIMEOUT = 30


def gcs_options(env: dict[str, str] | os._Environ[str]) -> dict[str, Any]:
    """``GCSFileSystem`` arguments for the environment ``env`` (timeouts excluded)."""
    return {
        "token": env.get("GOOGLE_APPLICATION_CREDENTIALS") or "anon",
        "skip_instance_cache": True,
        "use_listings_cache": False,  # polling must see new versions
    }


def _filesystem_class() -> type[Any]:
    """``GCSFileSystem`` whose HTTP calls are tried once: the driver's own policy retries.

    gcsfs retries failed calls six times with waits up to 32 s each, which would hold start-up
    for minutes when the service is down. The plain ``GCSFileSystem`` is used, not gcsfs's
    experimental subclass, whose bucket-type probe over gRPC cannot reach emulators.
    """
    from gcsfs.core import GCSFileSystem

    once = getattr(GCSFileSystem._request, "__wrapped__", None)

    class BoundedGCSFileSystem(GCSFileSystem):  # type: ignore[misc]
        if once is not None:

            async def _request(self, *args: Any, **kwargs: Any) -> Any:
                return await once(self, *args, **kwargs)

    return BoundedGCSFileSystem


class GCSStorage(RemoteStorage):
    """``gs://bucket/path`` through gcsfs, with bounded timeouts and retries."""

    scheme = "gs"
    errors = RemoteErrors(
        bucket_not_found=StatusCode.GCS_BUCKET_NOT_FOUND,
        invalid_access=StatusCode.GCS_INVALID_ACCESS,
        file_not_found=StatusCode.GCS_FILE_NOT_FOUND,
        list_failed=StatusCode.GCS_FAILED_LIST_OBJECTS,
        get_failed=StatusCode.GCS_FAILED_GET_OBJECT,
        metadata_failed=StatusCode.GCS_METADATA_FAIL,
        path_invalid=StatusCode.GCS_FILE_INVALID,
    )

    def connect(self) -> RemoteFileSystem:
        """A ``GCSFileSystem`` configured from the environment."""
        import aiohttp

        timeout = aiohttp.ClientTimeout(
            total=None, sock_connect=CONNECT_TIMEOUT, sock_read=READ_TIMEOUT
        )
        filesystem: RemoteFileSystem = _filesystem_class()(
            requests_timeout=timeout, **gcs_options(os.environ)
        )
        return filesystem

    def classify(self, error: BaseException) -> Fault:
        """Gcsfs reports 403 as a plain ``OSError('Forbidden: ...')`` and 401 as ``HttpError``."""
        if str(error).startswith("Forbidden") or getattr(error, "code", None) in (401, 403):
            return Fault.DENIED
        return super().classify(error)
