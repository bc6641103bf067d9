"""The gRPC transport ceiling for ``ovms bench``: a bare ``grpc.aio`` server with no model.

Every unary call, whatever its method, gets the recorded answer of the real server (bytes in,
bytes out: nothing is parsed), over the same server options as the frontend. Run as
``python -m ovms_frontend_grpc.bench_echo PORT ANSWER_FILE``.
"""

from __future__ import annotations

import os
import sys

import grpc

from ovms_core import run_event_loop
from ovms_frontend_grpc.frontend import MAX_MESSAGE_BYTES

__all__ = ["EchoHandler"]


class EchoHandler(grpc.GenericRpcHandler):
    """Answers every unary call with ``answer``."""

    def __init__(self, answer: bytes) -> None:
        async def reply(_request: bytes, _context: grpc.aio.ServicerContext[bytes, bytes]) -> bytes:
            return answer

        self._handler: grpc.RpcMethodHandler[bytes, bytes] = grpc.unary_unary_rpc_method_handler(
            reply
        )

    def service(
        self, handler_call_details: grpc.HandlerCallDetails
    ) -> grpc.RpcMethodHandler[bytes, bytes]:
        return self._handler


async def _serve(port: int, path: str) -> None:
    with open(path, "rb") as handle:
        answer = handle.read()
    server = grpc.aio.server(
        options=[
            ("grpc.max_receive_message_length", MAX_MESSAGE_BYTES),
            ("grpc.max_send_message_length", MAX_MESSAGE_BYTES),
            ("grpc.max_concurrent_streams", os.cpu_count() or 1),
        ]
    )
    server.add_generic_rpc_handlers([EchoHandler(answer)])
    server.add_insecure_port(f"127.0.0.1:{port}")
    await server.start()
    await server.wait_for_termination()


if __name__ == "__main__":
    run_event_loop(_serve(int(sys.argv[1]), sys.argv[2]))
