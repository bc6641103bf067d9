"""Model repositories on Amazon S3 or an S3-compatible store such as MinIO (driver ``s3``).

Credentials and endpoint come from the environment as OVMS reads them: ``AWS_ACCESS_KEY_ID``,
``AWS_SECRET_ACCESS_KEY``, ``AWS_SESSION_TOKEN``, ``AWS_REGION``, ``AWS_PROFILE`` and
``S3_ENDPOINT``. Without keys, a profile or a shared credentials file, access is anonymous
(public buckets).
"""

from __future__ import annotations

import os
from typing import Any

from ovms_core import RemoteErrors, RemoteFileSystem, RemoteStorage, StatusCode

__all__ = ["S3Storage", "s3_options"]

CONNECT_TIMEOUT = 5
READ_TIMEOUT = 30


def s3_options(env: dict[str, str] | os._Environ[str]) -> dict[str, Any]:
    """``S3FileSystem`` arguments for the OVMS environment variables in ``env``."""
    options: dict[str, Any] = {
        "skip_instance_cache": True,
        "use_listings_cache": False,  # polling must see new versions
        "config_kwargs": {
            "connect_timeout": CONNECT_TIMEOUT,
            "read_timeout": READ_TIMEOUT,
            "retries": {"total_max_attempts": 1},  # the driver's own policy retries
        },
        "client_kwargs": {},
    }
    endpoint = env.get("S3_ENDPOINT", "")
    if endpoint:
        options["endpoint_url"] = endpoint if "://" in endpoint else f"https://{endpoint}"
    region = env.get("AWS_REGION") or env.get("AWS_DEFAULT_REGION")
    if region:
        options["client_kwargs"]["region_name"] = region
    key, secret = env.get("AWS_ACCESS_KEY_ID"), env.get("AWS_SECRET_ACCESS_KEY")
    if key and secret:
        options.update(key=key, secret=secret, token=env.get("AWS_SESSION_TOKEN") or None)
    elif not _profile_configured(env):
        options["anon"] = True
    return options


def _profile_configured(env: dict[str, str] | os._Environ[str]) -> bool:
    if env.get("AWS_PROFILE"):
        return True
    default = os.path.join(os.path.expanduser("~"), ".aws", "credentials")
    return os.path.exists(env.get("AWS_SHARED_CREDENTIALS_FILE") or default)


class S3Storage(RemoteStorage):
    """``s3://bucket/path`` through s3fs, with bounded timeouts and retries."""

    scheme = "s3"
    errors = RemoteErrors(
        bucket_not_found=StatusCode.S3_BUCKET_NOT_FOUND,
        invalid_access=StatusCode.S3_INVALID_ACCESS,
        file_not_found=StatusCode.S3_FILE_NOT_FOUND,
        list_failed=StatusCode.S3_FAILED_LIST_OBJECTS,
        get_failed=StatusCode.S3_FAILED_GET_OBJECT,
        metadata_failed=StatusCode.S3_METADATA_FAIL,
        path_invalid=StatusCode.S3_FILE_INVALID,
    )

    def connect(self) -> RemoteFileSystem:
        """An ``S3FileSystem`` configured from the environment."""
        import s3fs

        fs = s3fs.S3FileSystem(**s3_options(os.environ))
        fs.retries = 1  # s3fs retries transient errors itself; ours are bounded and logged
        filesystem: RemoteFileSystem = fs
        return filesystem
