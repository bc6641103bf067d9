"""The REST transport ceiling of ``ovms bench``: Tornado's HTTP/1 server with no model.

Every request is read and answered with the REST server's recorded answer, by a delegate below
``tornado.web`` as the frontend's infer path is (see ``ovms_core.bench.echo``). Run as
``python -m ovms_frontend_rest.bench_echo PORT ANSWER_FILE``.
"""

from __future__ import annotations

import asyncio
import json
import sys

import tornado.httpserver
import tornado.httputil

from ovms_core import run_event_loop

__all__ = ["read_answer"]

MAX_BODY_BYTES = 1 << 30


def read_answer(path: str) -> tuple[list[tuple[str, str]], bytes]:
    """The headers and body stored from ``encode_answer``."""
    with open(path, "rb") as handle:
        first, body = handle.read().split(b"\n", 1)
    return [(k, v) for k, v in json.loads(first)], body


class _Echo(tornado.httputil.HTTPMessageDelegate):
    __slots__ = ("answer", "connection")

    def __init__(self, connection: tornado.httputil.HTTPConnection, answer: _Answer) -> None:
        self.connection = connection
        self.answer = answer

    def data_received(self, chunk: bytes) -> None:
        """The body is read and dropped."""

    def finish(self) -> None:
        self.connection.write_headers(self.answer.start, self.answer.headers, self.answer.body)
        self.connection.finish()


class _Answer(tornado.httputil.HTTPServerConnectionDelegate):
    def __init__(self, headers: list[tuple[str, str]], body: bytes) -> None:
        self.start = tornado.httputil.ResponseStartLine("HTTP/1.1", 200, "OK")
        self.headers = tornado.httputil.HTTPHeaders()
        for key, value in headers:
            self.headers.add(key, value)
        self.headers["Content-Length"] = str(len(body))
        self.body = body

    def start_request(
        self, server_conn: object, request_conn: tornado.httputil.HTTPConnection
    ) -> tornado.httputil.HTTPMessageDelegate:
        return _Echo(request_conn, self)


async def _serve(port: int, path: str) -> None:
    headers, body = read_answer(path)
    server = tornado.httpserver.HTTPServer(
        _Answer(headers, body), max_body_size=MAX_BODY_BYTES, max_buffer_size=MAX_BODY_BYTES
    )
    server.listen(port, "127.0.0.1")
    await asyncio.Event().wait()


if __name__ == "__main__":
    run_event_loop(_serve(int(sys.argv[1]), sys.argv[2]))
