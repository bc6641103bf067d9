"""TLS for the frontends: ``--ssl_cert_file``, ``--ssl_key_file`` and ``--ssl_client_ca_file``.

The kernel checks the files at start-up and builds Python ``ssl`` contexts (TLS 1.2 or later,
forward-secret AEAD ciphers only); each frontend watches ``TlsFiles.stamp`` to pick up a pair
rotated on disk for its new connections.
"""

from __future__ import annotations

import os
import ssl
from dataclasses import dataclass
from typing import TYPE_CHECKING, ClassVar

from ovms_core.config.errors import ConfigError

if TYPE_CHECKING:
    from ovms_core.base.services import HasServices
    from ovms_core.config.server_settings import ServerSettings

__all__ = ["CIPHERS_TLS12", "ROTATION_CHECK_SECONDS", "TlsFiles"]

CIPHERS_TLS12 = "ECDHE+AESGCM:ECDHE+CHACHA20:!aNULL:!eNULL:!MD5:!SHA1:!DSS"
"""TLS 1.2 suites: ECDHE key exchange with AES-GCM or ChaCha20 (TLS 1.3 suites are all strong)."""
ROTATION_CHECK_SECONDS = 1.0
"""How often the frontends check the certificate files for a change."""

Stamp = tuple[tuple[int, int, int] | None, ...]


@dataclass(frozen=True)
class TlsFiles:
    """The PEM files of a TLS frontend; ``client_ca_file`` set means clients need a certificate."""

    cert_file: str
    key_file: str
    client_ca_file: str = ""
    check_seconds: ClassVar[float] = ROTATION_CHECK_SECONDS

    @classmethod
    def from_settings(cls, settings: ServerSettings) -> TlsFiles | None:
        """The files of the flags, checked (``ConfigError`` if they cannot serve); None without."""
        if not (settings.ssl_cert_file or settings.ssl_key_file):
            if settings.ssl_client_ca_file:
                raise _error("ssl_client_ca_file needs ssl_cert_file and ssl_key_file", "")
            return None
        if not (settings.ssl_cert_file and settings.ssl_key_file):
            raise _error("ssl_cert_file and ssl_key_file go together", "")
        files = cls(settings.ssl_cert_file, settings.ssl_key_file, settings.ssl_client_ca_file)
        for flag, path in files.flags():
            try:
                with open(path, "rb"):
                    pass
            except OSError as error:
                raise _error(f"Cannot read the file: {error.strerror}", path, flag) from None
        try:
            files.ssl_context()
        except (OSError, ssl.SSLError, ValueError) as error:
            problem = f"Cannot use the TLS certificate, key or client CA: {error}"
            raise _error(problem, files.cert_file) from None
        return files

    @staticmethod
    def of(context: HasServices) -> TlsFiles | None:
        """The server's TLS files (``context.services["tls"]``), None for plaintext."""
        found = context.services.get("tls")
        return found if isinstance(found, TlsFiles) else None

    def ssl_context(self) -> ssl.SSLContext:
        """A server context of the files as they are now (raises ``OSError``/``ssl.SSLError``)."""
        context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        context.minimum_version = ssl.TLSVersion.TLSv1_2
        context.set_ciphers(CIPHERS_TLS12)
        context.options |= ssl.OP_NO_COMPRESSION | ssl.OP_NO_RENEGOTIATION
        context.load_cert_chain(self.cert_file, self.key_file)
        if self.client_ca_file:
            context.verify_mode = ssl.CERT_REQUIRED
            context.load_verify_locations(self.client_ca_file)
        return context

    def flags(self) -> list[tuple[str, str]]:
        """``(flag name, path)`` of each file given."""
        named = [
            ("ssl_cert_file", self.cert_file),
            ("ssl_key_file", self.key_file),
            ("ssl_client_ca_file", self.client_ca_file),
        ]
        return [(flag, path) for flag, path in named if path]

    def read_pem(self) -> tuple[bytes, bytes, bytes | None]:
        """Certificate chain, private key and client CA bundle as bytes (for gRPC)."""
        with open(self.cert_file, "rb") as cert, open(self.key_file, "rb") as key:
            chain, private = cert.read(), key.read()
        if not self.client_ca_file:
            return chain, private, None
        with open(self.client_ca_file, "rb") as ca:
            return chain, private, ca.read()

    def stamp(self) -> Stamp:
        """Inode, size and mtime of each file: a different stamp means the files changed."""
        stamps = []
        for path in (self.cert_file, self.key_file, self.client_ca_file):
            try:
                status = os.stat(path) if path else None
            except OSError:
                status = None
            stamps.append(status and (status.st_ino, status.st_size, status.st_mtime_ns))
        return tuple(stamps)


def _error(problem: str, value: object, flag: str = "ssl_cert_file") -> ConfigError:
    return ConfigError(problem, source="command line", path=(flag,), value=value)
