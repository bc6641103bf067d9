"""TLS on the REST port: the server's context, replaced when the files change on disk."""

from __future__ import annotations

import asyncio
import logging
import ssl

import tornado.httpserver

from ovms_core import TlsFiles

__all__ = ["watch_certificates"]

log = logging.getLogger("ovms.rest")


async def watch_certificates(server: tornado.httpserver.HTTPServer, files: TlsFiles) -> None:
    """Every ``TlsFiles.check_seconds``: new files give new connections a new context.

    A pair that cannot be used (half written, key and certificate not matching) is logged
    and the context in use stays until the files are right.
    """
    stamp = files.stamp()
    while True:
        await asyncio.sleep(files.check_seconds)
        current = files.stamp()
        if current == stamp:
            continue
        try:
            context = files.ssl_context()
        except (OSError, ssl.SSLError, ValueError) as error:
            log.warning(
                "REST TLS files changed but cannot be used, keeping the old ones: %s", error
            )
            continue
        stamp = current
        server.ssl_options = context  # read by the server for every accepted connection
        log.info("REST TLS certificate reloaded from %s", files.cert_file)
