"""API keys: ``--api_key_file`` (one key per line, re-read on change) or the ``API_KEY`` variable.

Every frontend asks ``ApiKeys.allows`` with the request's ``Authorization`` value. Keys are
compared as SHA-256 digests with ``hmac.compare_digest`` against every accepted key, so neither
the time taken nor the answer says anything about the keys.
"""

from __future__ import annotations

import hashlib
import hmac
import logging
import os
import threading
import time
from typing import TYPE_CHECKING

from ovms_core.config.errors import ConfigError

if TYPE_CHECKING:
    from ovms_core.base.services import HasServices
    from ovms_core.config.server_settings import ServerSettings

__all__ = ["RECHECK_SECONDS", "ApiKeys"]

log = logging.getLogger("ovms.security")
RECHECK_SECONDS = 1.0
"""How often, at most, the key file is checked for a change (by size, mtime and inode)."""


def _digest(key: str) -> bytes:
    return hashlib.sha256(key.encode()).digest()


def parse_keys(text: str) -> frozenset[bytes]:
    """The keys of a key file (digests): one per line; blank lines and ``#`` comments ignored."""
    keys = (line.strip() for line in text.splitlines())
    return frozenset(_digest(key) for key in keys if key and not key.startswith("#"))


class ApiKeys:
    """The accepted API keys; ``enabled`` is false when neither a file nor ``API_KEY`` is set."""

    def __init__(
        self, path: str = "", keys: frozenset[bytes] = frozenset(), protect_metrics: bool = True
    ) -> None:
        self.path = path
        self.protect_metrics = protect_metrics
        self._keys = keys
        self._enabled = bool(path or keys)
        self._stamp = self._file_stamp() if path else None
        self._checked = time.monotonic()
        self._lock = threading.Lock()

    @classmethod
    def from_settings(cls, settings: ServerSettings) -> ApiKeys:
        """The keys of ``--api_key_file``, else of ``API_KEY``; none when both are unset.

        Raises ``ConfigError`` when the file cannot be read or holds no key.
        """
        protect = settings.metrics_require_api_key
        if not settings.api_key_file:
            key = os.environ.get("API_KEY", "").strip()
            return cls(
                keys=frozenset({_digest(key)}) if key else frozenset(), protect_metrics=protect
            )
        path = settings.api_key_file
        try:
            with open(path, encoding="utf-8") as file:
                keys = parse_keys(file.read())
        except (OSError, UnicodeDecodeError) as error:
            raise ConfigError(
                f"Cannot read the API key file: {error}",
                source="command line",
                path=("api_key_file",),
                value=path,
            ) from None
        if not keys:
            raise ConfigError(
                "The API key file holds no key (one key per line; # starts a comment)",
                source="command line",
                path=("api_key_file",),
                value=path,
            )
        return cls(path, keys, protect)

    @staticmethod
    def of(context: HasServices) -> ApiKeys:
        """The server's keys (``context.services["api_keys"]``), or none."""
        found = context.services.get("api_keys")
        return found if isinstance(found, ApiKeys) else ApiKeys()

    @property
    def enabled(self) -> bool:
        """Whether requests must carry a key."""
        return self._enabled

    def allows(self, authorization: str | None) -> bool:
        """Whether ``authorization`` (``Bearer <key>``) names an accepted key."""
        if not self._enabled:
            return True
        self._refresh()
        scheme, _, key = (authorization or "").strip().partition(" ")
        digest = _digest(key.strip())
        found = False
        for accepted in self._keys:  # no early exit: the time does not depend on the match
            found |= hmac.compare_digest(digest, accepted)
        return found and scheme.lower() == "bearer"

    def _file_stamp(self) -> tuple[int, int, int] | None:
        try:
            status = os.stat(self.path)
        except OSError:
            return None
        return (status.st_ino, status.st_size, status.st_mtime_ns)

    def _refresh(self) -> None:
        """Re-read the key file when it changed (checked at most every ``RECHECK_SECONDS``)."""
        if not self.path:
            return
        now = time.monotonic()
        if now - self._checked < RECHECK_SECONDS:
            return
        with self._lock:
            self._checked = now
            stamp = self._file_stamp()
            if stamp == self._stamp:
                return
            try:
                with open(self.path, encoding="utf-8") as file:
                    keys = parse_keys(file.read())
            except (OSError, UnicodeDecodeError) as error:
                log.warning(
                    "API key file %s unreadable, keeping the keys in use: %s", self.path, error
                )
                return
            self._stamp = stamp
            self._keys = keys
            if keys:
                log.info("API key file %s re-read: %d key(s)", self.path, len(keys))
            else:
                log.warning(
                    "API key file %s holds no key: every guarded request is refused", self.path
                )
