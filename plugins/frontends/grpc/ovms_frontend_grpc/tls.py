"""TLS on the gRPC port: credentials that re-read the files when they change on disk."""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable
from typing import cast

import grpc

from ovms_core import TlsFiles

__all__ = ["server_credentials"]

log = logging.getLogger("ovms.grpc")


def _configuration(files: TlsFiles) -> grpc.ServerCertificateConfiguration:
    chain, key, client_ca = files.read_pem()
    return grpc.ssl_server_certificate_configuration([(key, chain)], root_certificates=client_ca)


def server_credentials(files: TlsFiles) -> grpc.ServerCredentials:
    """TLS credentials; ``client_ca_file`` makes a client certificate mandatory (mutual TLS).

    gRPC asks for the configuration at each new connection's handshake; the files' stamp is
    checked at most every ``TlsFiles.check_seconds``, and a changed pair is handed over then.
    gRPC core's own defaults apply: TLS 1.2 or later, ECDHE with AES-GCM suites.
    """
    # grpcio documents None as "no change"; its type stubs leave None out.
    fetch = cast("Callable[[], grpc.ServerCertificateConfiguration]", _Watcher(files).fetch)
    return grpc.dynamic_ssl_server_credentials(
        _configuration(files), fetch, require_client_authentication=bool(files.client_ca_file)
    )


class _Watcher:
    """The certificate fetcher gRPC calls (from its own threads) at each handshake."""

    def __init__(self, files: TlsFiles) -> None:
        self.files = files
        self.stamp = files.stamp()
        self.checked = time.monotonic()
        self.lock = threading.Lock()

    def fetch(self) -> grpc.ServerCertificateConfiguration | None:
        """The new configuration when the files changed since the last one, else None."""
        with self.lock:
            now = time.monotonic()
            if now - self.checked < self.files.check_seconds:
                return None
            self.checked = now
            stamp = self.files.stamp()
            if stamp == self.stamp:
                return None
            try:
                configuration = _configuration(self.files)
            except OSError as error:
                log.warning("gRPC TLS files changed but cannot be read: %s", error)
                return None
            self.stamp = stamp
            log.info("gRPC TLS certificate reloaded from %s", self.files.cert_file)
            return configuration
