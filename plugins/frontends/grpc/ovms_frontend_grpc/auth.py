"""API keys on the gRPC port: a server interceptor that refuses calls without a valid key."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

import grpc

from ovms_core import ApiKeys, StatusCode

__all__ = ["OPEN_METHODS", "ApiKeyInterceptor"]

OPEN_METHODS = frozenset(
    {
        "/inference.GRPCInferenceService/ServerLive",
        "/inference.GRPCInferenceService/ServerReady",
        "/grpc.health.v1.Health/Check",
        "/grpc.health.v1.Health/Watch",
    }
)
"""Probes answer without a key (they reveal only whether the server is up and ready)."""
_DETAILS = StatusCode.UNAUTHORIZED.message


async def _refuse_unary(_request: Any, context: grpc.aio.ServicerContext[Any, Any]) -> None:
    await context.abort(grpc.StatusCode.UNAUTHENTICATED, _DETAILS)


async def _refuse_stream(_requests: Any, context: grpc.aio.ServicerContext[Any, Any]) -> None:
    await context.abort(grpc.StatusCode.UNAUTHENTICATED, _DETAILS)


def _refusal(
    handler: grpc.RpcMethodHandler[Any, Any] | None,
) -> grpc.RpcMethodHandler[Any, Any]:
    """A handler of the same kind as ``handler`` that answers ``UNAUTHENTICATED``.

    The request is never deserialized: a refused call costs no parsing. A method the server
    does not have is refused the same way, so a caller without a key learns nothing of them.
    """
    if handler is None or handler.unary_unary is not None:
        return grpc.unary_unary_rpc_method_handler(_refuse_unary)
    if handler.unary_stream is not None:
        return grpc.unary_stream_rpc_method_handler(_refuse_unary)
    if handler.stream_unary is not None:
        return grpc.stream_unary_rpc_method_handler(_refuse_stream)
    return grpc.stream_stream_rpc_method_handler(_refuse_stream)


class ApiKeyInterceptor(grpc.aio.ServerInterceptor):
    """Every method but ``OPEN_METHODS`` needs ``authorization: Bearer <key>`` metadata."""

    def __init__(self, keys: ApiKeys) -> None:
        self.keys = keys

    async def intercept_service(
        self,
        continuation: Callable[
            [grpc.HandlerCallDetails], Awaitable[grpc.RpcMethodHandler[Any, Any] | None]
        ],
        handler_call_details: grpc.HandlerCallDetails,
    ) -> grpc.RpcMethodHandler[Any, Any] | None:
        handler = await continuation(handler_call_details)
        if handler_call_details.method in OPEN_METHODS:
            return handler
        authorization = None
        for key, value in handler_call_details.invocation_metadata or ():
            if key == "authorization":
                authorization = value if isinstance(value, str) else value.decode("latin-1")
        if self.keys.allows(authorization):
            return handler
        return _refusal(handler)
