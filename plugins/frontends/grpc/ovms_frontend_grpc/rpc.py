"""Method handlers: tolerant decoding, OVMS errors as gRPC status, one place per finished call."""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator, Awaitable, Callable, Mapping
from typing import Any, TypeVar

import grpc
from google.protobuf.message import Message

from ovms_core import OvmsError
from ovms_frontend_grpc.errors import INTERNAL_ERROR, grpc_status

__all__ = ["Malformed", "RpcAbort", "decoder", "service_handler", "stream_method", "unary_method"]

log = logging.getLogger("ovms.grpc")

M = TypeVar("M", bound=Message)
Request = TypeVar("Request", bound=Message)
Response = TypeVar("Response", bound=Message)


class Malformed:
    """Stands in for a request message that could not be parsed."""

    __slots__ = ("type_name",)

    def __init__(self, type_name: str) -> None:
        self.type_name = type_name

    @property
    def message(self) -> str:
        """The text the client gets."""
        return f"The request could not be parsed as {self.type_name}"


class RpcAbort(Exception):
    """Ends a call with a gRPC status of its own, for failures outside the OVMS table."""

    def __init__(self, code: grpc.StatusCode, details: str) -> None:
        super().__init__(details)
        self.code = code
        self.details = details


def decoder(message_type: type[M]) -> Callable[[bytes], M | Malformed]:
    """A request deserializer that never raises: bad bytes become ``Malformed``.

    grpcio answers a deserializer exception with ``UNKNOWN`` and logs a traceback; a client's
    garbage is its own mistake, so the handler answers ``INVALID_ARGUMENT`` instead.
    """
    parse = message_type.FromString
    malformed = Malformed(message_type.DESCRIPTOR.full_name)

    def decode(data: bytes) -> M | Malformed:
        try:
            return parse(data)
        except Exception:
            return malformed

    return decode


def unary_method(
    request_type: type[Request],
    response_type: type[Response],
    method: Callable[[Request], Awaitable[Response]],
    deserializer: Callable[[bytes], Any] | None = None,
) -> grpc.RpcMethodHandler[Any, Any]:
    """A unary handler around ``method``: its ``OvmsError`` become the mapped gRPC status.

    ``deserializer`` replaces the parse of ``request_type`` (it must never raise).
    """

    async def handle(
        request: Request | Malformed, context: grpc.aio.ServicerContext[Any, Any]
    ) -> Response:
        # Metrics count calls in the services (``counting.counted``), where the model name and
        # version are known; this function maps their errors to gRPC status.
        if isinstance(request, Malformed):
            await context.abort(grpc.StatusCode.INVALID_ARGUMENT, request.message)
        try:
            return await method(request)
        except OvmsError as error:
            code, details = grpc_status(error)
        except RpcAbort as error:
            code, details = error.code, error.details
        except Exception:
            log.exception("gRPC %s failed", request_type.DESCRIPTOR.full_name)
            code, details = INTERNAL_ERROR
        await context.abort(code, details)

    return grpc.unary_unary_rpc_method_handler(
        handle,
        request_deserializer=deserializer or decoder(request_type),
        response_serializer=response_type.SerializeToString,
    )


def stream_method(
    request_type: type[Request],
    response_type: type[Response],
    method: Callable[[AsyncIterator[Request | Malformed]], AsyncIterator[Response]],
    deserializer: Callable[[bytes], Any] | None = None,
) -> grpc.RpcMethodHandler[Any, Any]:
    """A bidirectional-stream handler: ``method`` reports per-message errors itself."""

    async def handle(
        requests: AsyncIterator[Request | Malformed], _context: grpc.aio.ServicerContext[Any, Any]
    ) -> AsyncIterator[Response]:
        async for response in method(requests):
            yield response

    return grpc.stream_stream_rpc_method_handler(
        handle,
        request_deserializer=deserializer or decoder(request_type),
        response_serializer=response_type.SerializeToString,
    )


def service_handler(
    service_name: str, methods: Mapping[str, grpc.RpcMethodHandler[Any, Any]]
) -> grpc.GenericRpcHandler:
    """The handler of one service: ``methods`` by method name."""
    return grpc.method_handlers_generic_handler(service_name, dict(methods))
