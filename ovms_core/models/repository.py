"""Version folders of a model's base path, read through its storage driver."""

from __future__ import annotations

import logging

from ovms_core.base.errors import OvmsError
from ovms_core.base.status_codes import StatusCode
from ovms_core.storage.driver import StorageDriver

__all__ = ["list_versions", "storage_scheme"]

log = logging.getLogger("ovms.modelmanager")


def storage_scheme(base_path: str) -> str:
    """The storage driver name for a base path: its URL scheme, ``file`` for plain paths."""
    if "://" in base_path:
        return base_path.split("://", 1)[0].lower()
    return "file"


def list_versions(
    storage: StorageDriver, model_name: str, base_path: str, notes: list[str] | None = None
) -> list[int]:
    """Positive integer version folders under ``base_path``; other names are skipped.

    What was skipped, and an empty folder, are logged as warnings, or appended to ``notes``
    when given (a poller then logs a condition once, not at every poll).
    """
    warn = log.warning if notes is None else (lambda text, *args: notes.append(text % args))
    if ".." in base_path.replace("\\", "/").split("/"):
        raise OvmsError(StatusCode.PATH_INVALID, base_path)
    # One listing per poll: ask whether it is a folder only when the listing is empty.
    try:
        names = storage.list_dirs(base_path)
    except (FileNotFoundError, NotADirectoryError):
        raise OvmsError(StatusCode.PATH_INVALID, base_path) from None
    if not names and not storage.is_dir(base_path):
        raise OvmsError(StatusCode.PATH_INVALID, base_path)
    versions = []
    for name in names:
        try:
            number = int(name)
        except ValueError:
            warn(
                "Expected version directory name to be in number format. Got: %s (model %s)",
                name,
                model_name,
            )
            continue
        if number <= 0:
            warn(
                "Expected version directory name to be a number greater than 0. Got: %s (model %s)",
                name,
                model_name,
            )
            continue
        versions.append(number)
    if not versions:
        warn("No version found for model %s in path: %s", model_name, base_path)
    return sorted(versions)
