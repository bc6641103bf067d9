"""Model repositories on Azure Blob Storage (driver ``az``; ``azfs`` is refused with a reason).

``AZURE_STORAGE_CONNECTION_STRING`` gives the account, key and endpoint, as OVMS reads it.
"""

from __future__ import annotations

import os
from typing import Any

from ovms_core import (
    Fault,
    OvmsError,
    RemoteErrors,
    RemoteFileSystem,
    RemoteStorage,
    StatusCode,
    StorageDriver,
)

__all__ = ["CONNECTION_STRING", "AzureBlobStorage", "azure_file_share_storage"]

CONNECTION_STRING = "AZURE_STORAGE_CONNECTION_STRING"
CONNECT_TIMEOUT = 5
READ_TIMEOUT = 30


def _filesystem_class() -> type[Any]:
    """``AzureBlobFileSystem`` whose client tries each call once, with explicit timeouts.

    The Azure SDK's default policy retries with waits of 15 s and more, which would hold
    start-up for a minute when the service is down; the driver's own policy retries instead.
    """
    from adlfs import AzureBlobFileSystem
    from azure.storage.blob.aio import BlobServiceClient

    class BoundedBlobFileSystem(AzureBlobFileSystem):  # type: ignore[misc]
        def do_connect(self) -> None:
            self.service_client = BlobServiceClient.from_connection_string(
                self.connection_string,
                retry_total=0,
                connection_timeout=CONNECT_TIMEOUT,
                read_timeout=READ_TIMEOUT,
            )

    return BoundedBlobFileSystem


class AzureBlobStorage(RemoteStorage):
    """``az://container/path`` through adlfs, with bounded timeouts and retries."""

    scheme = "az"
    errors = RemoteErrors(
        bucket_not_found=StatusCode.AS_CONTAINER_NOT_FOUND,
        invalid_access=StatusCode.AS_INVALID_ACCESS,
        file_not_found=StatusCode.AS_FILE_NOT_FOUND,
        list_failed=StatusCode.AS_FAILED_LIST_OBJECTS,
        get_failed=StatusCode.AS_FAILED_GET_OBJECT,
        metadata_failed=StatusCode.AS_METADATA_FAIL,
        path_invalid=StatusCode.AS_INVALID_PATH,
    )

    def connect(self) -> RemoteFileSystem:
        """An ``AzureBlobFileSystem`` for ``AZURE_STORAGE_CONNECTION_STRING``."""
        connection_string = os.environ.get(CONNECTION_STRING)
        if not connection_string:
            raise OvmsError(self.errors.invalid_access, f"{CONNECTION_STRING} is not set")
        filesystem: RemoteFileSystem = _filesystem_class()(
            connection_string=connection_string,
            skip_instance_cache=True,
            use_listings_cache=False,  # polling must see new versions
        )
        return filesystem

    def classify(self, error: BaseException) -> Fault:
        """Azure SDK errors by HTTP status: 401/403 denied, 404 missing."""
        status = getattr(error, "status_code", None)
        if status in (401, 403):
            return Fault.DENIED
        if status == 404:
            return Fault.MISSING
        return super().classify(error)


def azure_file_share_storage() -> StorageDriver:
    """The ``azfs`` entry point: Azure file shares are not supported, and loading says so."""
    raise OvmsError(
        StatusCode.AS_INVALID_PATH,
        "Azure file shares (azfs://) are not supported by ovms-storage-azure; "
        "copy the models to a blob container and use az://container/path",
    )
