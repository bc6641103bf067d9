"""A small keep-alive HTTP/1.1 load generator on asyncio (one prepared request, N connections)."""

from __future__ import annotations

import asyncio
import time

from ovms_core.bench.stats import Measurement, summarize

__all__ = ["build_post", "measure_http"]


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


async def _worker(
    host: str,
    port: int,
    payload: bytes,
    until: float,
    record_from: float,
    latencies: list[float],
    errors: list[int],
) -> None:
    reader, writer = await asyncio.open_connection(host, port)
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
) -> Measurement:
    """Send ``payload`` over ``concurrency`` connections; only the post-warm-up window counts."""
    latencies: list[float] = []
    errors: list[int] = []
    begin = time.perf_counter()
    record_from = begin + warmup
    until = record_from + duration
    await asyncio.gather(
        *(
            _worker(host, port, payload, until, record_from, latencies, errors)
            for _ in range(concurrency)
        )
    )
    elapsed = max(time.perf_counter(), until) - record_from
    return summarize(name, concurrency, latencies, len(errors), elapsed)
