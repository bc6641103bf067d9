"""A small keep-alive HTTP/1.1 load generator on asyncio (one prepared request, N connections)."""

from __future__ import annotations

import asyncio
import ssl
import time

from ovms_command_bench.stats import Measurement, summarize

__all__ = ["build_post", "fetch", "measure_http"]


def build_post(host: str, port: int, path: str, body: bytes, headers: dict[str, str]) -> bytes:
    """The raw bytes of a POST request."""
    lines = [f"POST {path} HTTP/1.1", f"Host: {host}:{port}", f"Content-Length: {len(body)}"]
    lines += [f"{k}: {v}" for k, v in headers.items()]
    return ("\r\n".join(lines) + "\r\n\r\n").encode() + body


async def _read_response(reader: asyncio.StreamReader) -> int:
    head = await reader.readuntil(b"\r\n\r\n")
    status = int(head.split(b" ", 2)[1])
    length = 0
    for line in head.split(b"\r\n"):
        if line[:15].lower() == b"content-length:":
            length = int(line[15:])
    if length:
        await reader.readexactly(length)
    return status


_HOP_BY_HOP = {"content-length", "connection", "date", "server", "transfer-encoding"}


async def fetch(host: str, port: int, payload: bytes) -> tuple[int, list[tuple[str, str]], bytes]:
    """Send ``payload`` once; the status, end-to-end headers and body of the answer."""
    reader, writer = await asyncio.open_connection(host, port)
    try:
        writer.write(payload)
        head = (await reader.readuntil(b"\r\n\r\n")).decode("latin-1")
        lines = head.split("\r\n")
        headers = [tuple(part.strip() for part in line.split(":", 1)) for line in lines[1:] if line]
        length = next((int(v) for k, v in headers if k.lower() == "content-length"), 0)
        body = await reader.readexactly(length)
    finally:
        writer.close()
    kept = [(k, v) for k, v in headers if k.lower() not in _HOP_BY_HOP]
    return int(lines[0].split(" ", 2)[1]), kept, body


async def _worker(
    host: str,
    port: int,
    payload: bytes,
    until: float,
    record_from: float,
    latencies: list[float],
    errors: list[int],
    tls: ssl.SSLContext | None,
) -> None:
    reader, writer = await asyncio.open_connection(host, port, ssl=tls)
    try:
        while True:
            start = time.perf_counter()
            if start >= until:
                return
            writer.write(payload)
            status = await _read_response(reader)
            if start >= record_from:
                if status == 200:
                    latencies.append(time.perf_counter() - start)
                else:
                    errors.append(status)
    finally:
        writer.close()


async def measure_http(
    name: str,
    host: str,
    port: int,
    payload: bytes,
    concurrency: int,
    warmup: float,
    duration: float,
    tls: ssl.SSLContext | None = None,
) -> Measurement:
    """Send ``payload`` over ``concurrency`` connections; only the post-warm-up window counts.

    With ``tls`` the connections are TLS (each handshakes once, before the warm-up ends).
    """
    latencies: list[float] = []
    errors: list[int] = []
    begin = time.perf_counter()
    record_from = begin + warmup
    until = record_from + duration
    await asyncio.gather(
        *(
            _worker(host, port, payload, until, record_from, latencies, errors, tls)
            for _ in range(concurrency)
        )
    )
    elapsed = max(time.perf_counter(), until) - record_from
    return summarize(name, concurrency, latencies, len(errors), elapsed)
