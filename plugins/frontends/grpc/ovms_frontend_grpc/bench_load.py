"""gRPC load generators: one serialized request, sent as bytes over one channel per worker.

Blocking grpcio calls release the GIL, and the client neither builds nor parses messages per
call, so the measurement is the server's.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping, Sequence
from contextlib import AbstractContextManager, contextmanager
from typing import Protocol

import grpc
import numpy as np

from ovms_core import from_numpy
from ovms_frontend_grpc._generated.ovms import grpc_predict_v2_pb2 as pb
from ovms_frontend_grpc._generated.tensorflow_serving.apis import predict_pb2
from ovms_frontend_grpc.frontend import MAX_MESSAGE_BYTES
from ovms_frontend_grpc.kserve_service import SERVICE_NAME as KSERVE_SERVICE
from ovms_frontend_grpc.tfs_service import PREDICTION_SERVICE_NAME

__all__ = [
    "Call",
    "RunEcho",
    "Target",
    "connect_kserve",
    "connect_tfs",
    "echo_kserve",
    "echo_tfs",
    "kserve_payload",
    "tfs_payload",
]

Call = Callable[[], bool]
"""One request, blocking until its answer; True when it succeeded (``ovms_command_bench.Call``)."""
RunEcho = Callable[[str, bytes], AbstractContextManager[int]]
"""``ovms_command_bench.echo_subprocess``: runs an echo module with an answer, yields its port."""


class Target(Protocol):
    """What the load generators read of an ``ovms_command_bench.Target``."""

    @property
    def host(self) -> str: ...
    @property
    def grpc_port(self) -> int: ...
    @property
    def model_name(self) -> str: ...
    @property
    def inputs(self) -> Mapping[str, np.ndarray]: ...


READY_SECONDS = 30.0
CALL_TIMEOUT_SECONDS = 60.0
_CHANNEL_OPTIONS = [
    ("grpc.max_receive_message_length", MAX_MESSAGE_BYTES),
    ("grpc.max_send_message_length", MAX_MESSAGE_BYTES),
    # A connection of its own per channel: the server allows few streams per connection.
    ("grpc.use_local_subchannel_pool", 1),
]


def _datatype(target: Target, name: str) -> tuple[str, int]:
    datatype = from_numpy(target.inputs[name].dtype)
    if datatype is None:
        raise ValueError(f"input {name}: no datatype for {target.inputs[name].dtype}")
    return datatype.kserve, datatype.tfs_number


def kserve_payload(target: Target) -> bytes:
    """A ``ModelInferRequest`` with every input in ``raw_input_contents``."""
    request = pb.ModelInferRequest(model_name=target.model_name)
    for name, array in target.inputs.items():
        request.inputs.add(name=name, datatype=_datatype(target, name)[0], shape=array.shape)
        request.raw_input_contents.append(array.tobytes())
    return request.SerializeToString()


def tfs_payload(target: Target) -> bytes:
    """A ``PredictRequest`` with every input in ``tensor_content``."""
    request = predict_pb2.PredictRequest()
    request.model_spec.name = target.model_name
    for name, array in target.inputs.items():
        tensor = request.inputs[name]
        tensor.dtype = _datatype(target, name)[1]  # type: ignore[assignment]
        for size in array.shape:
            tensor.tensor_shape.dim.add(size=size)
        tensor.tensor_content = array.tobytes()
    return request.SerializeToString()


def _caller(channel: grpc.Channel, method: str, payload: bytes) -> Call:
    send: grpc.UnaryUnaryMultiCallable[bytes, bytes] = channel.unary_unary(method)

    def call() -> bool:
        try:
            send(payload, timeout=CALL_TIMEOUT_SECONDS)
        except grpc.RpcError:
            return False
        return True

    return call


@contextmanager
def _connect(
    target: Target, concurrency: int, method: str, payload: bytes
) -> Iterator[Sequence[Call]]:
    address = f"{target.host}:{target.grpc_port}"
    channels = [
        grpc.insecure_channel(address, options=_CHANNEL_OPTIONS) for _ in range(max(concurrency, 1))
    ]
    try:
        for channel in channels:
            grpc.channel_ready_future(channel).result(timeout=READY_SECONDS)
        yield [_caller(channel, method, payload) for channel in channels]
    finally:
        for channel in channels:
            channel.close()


def connect_kserve(target: Target, concurrency: int) -> AbstractContextManager[Sequence[Call]]:
    """``/inference.GRPCInferenceService/ModelInfer`` with raw contents."""
    return _connect(target, concurrency, f"/{KSERVE_SERVICE}/ModelInfer", kserve_payload(target))


def connect_tfs(target: Target, concurrency: int) -> AbstractContextManager[Sequence[Call]]:
    """``/tensorflow.serving.PredictionService/Predict`` with ``tensor_content``."""
    return _connect(target, concurrency, f"/{PREDICTION_SERVICE_NAME}/Predict", tfs_payload(target))


def _echo(
    target: Target, run_echo: RunEcho, method: str, payload: bytes
) -> AbstractContextManager[int]:
    with grpc.insecure_channel(f"{target.host}:{target.grpc_port}", _CHANNEL_OPTIONS) as channel:
        send: grpc.UnaryUnaryMultiCallable[bytes, bytes] = channel.unary_unary(method)
        answer = send(payload, timeout=CALL_TIMEOUT_SECONDS)
    return run_echo("ovms_frontend_grpc.bench_echo", answer)


def echo_kserve(target: Target, run_echo: RunEcho) -> AbstractContextManager[int]:
    """The transport ceiling of ``kserve-grpc``: the server's answer, from a bare echo."""
    return _echo(target, run_echo, f"/{KSERVE_SERVICE}/ModelInfer", kserve_payload(target))


def echo_tfs(target: Target, run_echo: RunEcho) -> AbstractContextManager[int]:
    """The transport ceiling of ``tfs-grpc``: the server's answer, from a bare echo."""
    return _echo(target, run_echo, f"/{PREDICTION_SERVICE_NAME}/Predict", tfs_payload(target))
