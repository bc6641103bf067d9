"""The channel between worker processes: metrics, reloads and stateful inferences.

Each worker listens on a Unix socket in a directory only its user can enter. A call is one
length-prefixed pickle each way on its own connection. Three calls exist:

- ``metrics``: the worker's own ``/metrics`` text, which the scraped worker adds to its own;
- ``reload``: re-read the configuration (``POST /v1/config/reload`` on any worker reloads all);
- ``infer``: run an inference on a stateful model. Stateful models run on worker 0 only (their
  sequences' states live in its infer requests); the others forward those requests to it.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import os
import pickle
import struct
from collections.abc import Awaitable, Callable
from typing import Any

from ovms_core import (
    ConfigError,
    Dataplane,
    InferInput,
    InferRequest,
    InferResult,
    Metrics,
    OutputTensor,
    OvmsError,
    StatusCode,
)
from ovms_workers.identity import WorkerIdentity
from ovms_workers.summing import sum_texts
from ovms_workers.supervisor import follow_supervisor

__all__ = ["STATEFUL_OWNER", "Peers"]

log = logging.getLogger("ovms.workers")
STATEFUL_OWNER = 0
"""The worker that runs every stateful model's inferences."""
_LENGTH = struct.Struct("!Q")
_METRICS_TIMEOUT_SECONDS = 5.0


class Peers:
    """A worker's listener for its peers, and its calls to them."""

    def __init__(
        self,
        identity: WorkerIdentity,
        metrics: Metrics,
        dataplane: Dataplane,
        runners: Any,
        reload: Callable[[], Awaitable[Any]],
    ) -> None:
        """``runners`` is the server's runner cache (``context.services["runners"]``)."""
        self.identity = identity
        self._metrics = metrics
        self._dataplane = dataplane
        self._runners = runners
        self._reload = reload
        self._server: asyncio.AbstractServer | None = None

    async def start(self) -> None:
        """Listen for peers; gather metrics from them; forward stateful inferences to worker 0.

        The socket stays open until the process ends, after the server stopped: peers still
        draining can forward their requests meanwhile.
        """
        path = self.identity.socket_path(self.identity.index)
        with contextlib.suppress(FileNotFoundError):
            os.unlink(path)
        self._server = await asyncio.start_unix_server(self._serve, path)
        follow_supervisor()
        self._metrics.aggregate = self.sum_metrics
        if self.identity.index != STATEFUL_OWNER:
            self._runners.forward_stateful = self.forward_infer

    async def reload_everywhere(self) -> Any:
        """Reload here (errors raise as from ``Server.reload_config``), then in every peer.

        Returns this worker's outcome once every peer has answered; peers' failures are logged.
        """
        outcome = await self._reload()
        replies = await asyncio.gather(
            *(self._call(index, ("reload",)) for index in self.identity.peers),
            return_exceptions=True,
        )
        for index, reply in zip(self.identity.peers, replies, strict=True):
            if isinstance(reply, BaseException) or reply is not None:
                log.error("Worker %d could not reload the configuration: %s", index, reply)
        return outcome

    async def sum_metrics(self, own: bytes) -> bytes:
        """``own`` metrics text summed with every peer's."""
        return sum_texts([own, *await self.gather_metrics()])

    async def gather_metrics(self) -> list[bytes]:
        """Every peer's metrics text; peers that do not answer (starting, stopping) are left out."""
        replies = await asyncio.gather(
            *(
                asyncio.wait_for(self._call(index, ("metrics",)), _METRICS_TIMEOUT_SECONDS)
                for index in self.identity.peers
            ),
            return_exceptions=True,
        )
        texts = []
        for index, reply in zip(self.identity.peers, replies, strict=True):
            if isinstance(reply, bytes):
                texts.append(reply)
            else:
                log.warning("Worker %d gave no metrics: %r", index, reply)
        return texts

    async def forward_infer(
        self, request: InferRequest, release: Callable[[], None]
    ) -> InferResult:
        """Run ``request`` on worker 0; its outputs are copies, ``release`` ends the call."""
        try:
            reply = await self._call(STATEFUL_OWNER, ("infer", _portable(request)))
        except OSError as error:
            raise OvmsError(StatusCode.INTERNAL_ERROR, f"worker 0 unreachable: {error}") from None
        if reply[0] == "error":
            raise OvmsError(StatusCode[reply[1]], reply[2])
        _, name, version, request_id, outputs, parameters = reply
        results = [OutputTensor(*output) for output in outputs]
        return InferResult(name, version, request_id, results, release, parameters)

    async def _call(self, index: int, message: tuple[Any, ...]) -> Any:
        reader, writer = await asyncio.open_unix_connection(self.identity.socket_path(index))
        try:
            await _send(writer, message)
            return await _receive(reader)
        finally:
            writer.close()
            with contextlib.suppress(OSError):
                await writer.wait_closed()

    async def _serve(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        try:
            message = await _receive(reader)
            await _send(writer, await self._answer(message))
        except (OSError, asyncio.IncompleteReadError):
            pass  # the caller went away (its client cancelled, or it stopped)
        finally:
            writer.close()

    async def _answer(self, message: tuple[Any, ...]) -> Any:
        kind = message[0]
        if kind == "metrics":
            return self._metrics.exposition() or b""
        if kind == "reload":
            try:
                await self._reload()
            except (ConfigError, OvmsError) as error:
                return str(error)
            return None
        assert kind == "infer"
        try:
            with await self._dataplane.infer(message[1]) as result:
                outputs = [(o.name, o.datatype, o.data.copy()) for o in result.outputs]
                return (
                    "ok",
                    result.model_name,
                    result.model_version,
                    result.id,
                    outputs,
                    result.parameters,
                )
        except OvmsError as error:
            return ("error", error.code.name, error.details)
        except Exception as error:
            log.exception("Forwarded inference failed")
            return ("error", StatusCode.INTERNAL_ERROR.name, str(error))


def _portable(request: InferRequest) -> InferRequest:
    """``request`` in types that pickle: raw inputs as bytes, shapes as lists."""
    inputs = [
        InferInput(
            i.name,
            i.datatype,
            list(i.shape),
            None if i.raw is None else bytes(i.raw),
            i.values,
            i.label,
        )
        for i in request.inputs
    ]
    return InferRequest(
        request.model_name,
        request.model_version,
        inputs,
        request.outputs,
        request.id,
        request.parameters,
        request.input_name_prefix,
        request.unknown_name_code,
        request.ovms_precision_names,
    )


async def _send(writer: asyncio.StreamWriter, message: Any) -> None:
    data = pickle.dumps(message, protocol=pickle.HIGHEST_PROTOCOL)
    writer.write(_LENGTH.pack(len(data)) + data)
    await writer.drain()


async def _receive(reader: asyncio.StreamReader) -> Any:
    (length,) = _LENGTH.unpack(await reader.readexactly(_LENGTH.size))
    return pickle.loads(await reader.readexactly(length))
