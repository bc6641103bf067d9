"""Requests and results of the dataplane, independent of any wire format."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from ovms_core.base.status_codes import StatusCode

__all__ = [
    "InferInput",
    "InferRequest",
    "InferResult",
    "ModelMetadata",
    "OutputTensor",
    "TensorMetadata",
    "VersionStatus",
]


@dataclass(slots=True)
class InferInput:
    """One input tensor as the client sent it.

    Exactly one of ``raw`` (little-endian bytes, viewed without copying) and ``values`` (an
    array decoded from typed fields such as JSON numbers) is set. BYTES inputs always use
    ``values``: a 1-D object array with one ``bytes`` per element (strings, encoded images).
    """

    name: str
    datatype: str
    shape: Sequence[int]
    raw: Any = None
    values: np.ndarray | None = None
    label: str = ""
    """The datatype as the wire names it, for messages (``DT_INT32``); default: ``datatype``."""


@dataclass(slots=True)
class InferRequest:
    """An inference call for one model (version None or 0: the default version)."""

    model_name: str
    model_version: int | None
    inputs: list[InferInput]
    outputs: list[str] | None = None
    id: str = ""
    parameters: dict[str, Any] = field(default_factory=dict)
    input_name_prefix: str = "input name: "
    """Prefix of the tensor name in validation messages (KServe doubles it, as OVMS does)."""
    unknown_name_code: StatusCode = StatusCode.MODEL_NAME_MISSING
    """The status for a name that is neither a model nor a pipeline (differs per API)."""
    ovms_precision_names: bool = False
    """Name the expected datatype by OVMS precision (``I32``) in messages, as the TFS API does."""


@dataclass(slots=True)
class OutputTensor:
    """One output: ``data`` views the infer request's memory until the result is released."""

    name: str
    datatype: str
    data: np.ndarray


class InferResult:
    """Outputs of one inference; call ``release`` (or use ``with``) once they are encoded.

    ``parameters`` are response parameters (KServe frontends copy them into the response's
    ``parameters``). A stateful model's result always has ``{"sequence_id": <int>}``, which
    TF-Serving frontends return as an extra ``sequence_id`` output (see
    ``ovms_runner_stateful``, distribution ``ovms-runner-stateful``).
    """

    __slots__ = ("_release", "id", "model_name", "model_version", "outputs", "parameters")

    def __init__(
        self,
        model_name: str,
        model_version: int,
        request_id: str,
        outputs: list[OutputTensor],
        release: Callable[[], None],
        parameters: dict[str, Any] | None = None,
    ) -> None:
        self.model_name = model_name
        self.model_version = model_version
        self.id = request_id
        self.outputs = outputs
        self.parameters: dict[str, Any] = parameters or {}
        self._release: Callable[[], None] | None = release

    def release(self) -> None:
        """Give the infer request back to its pool; ``outputs`` must not be used afterwards."""
        release, self._release = self._release, None
        if release is not None:
            release()

    def __enter__(self) -> InferResult:
        return self

    def __exit__(self, *_exc: object) -> None:
        self.release()


@dataclass(frozen=True)
class VersionStatus:
    """One version's state as model status APIs report it.

    ``error_code`` is a TensorFlow error code name: ``OK``, ``UNKNOWN`` or
    ``FAILED_PRECONDITION``; ``error_message`` repeats it, as OVMS does.
    """

    version: int
    state: str
    error_code: str

    @property
    def error_message(self) -> str:
        """The code name (OVMS reports the name as the message)."""
        return self.error_code


@dataclass(frozen=True)
class TensorMetadata:
    """Name, datatype and shape (-1 for dynamic dimensions) of a tensor."""

    name: str
    datatype: str
    shape: list[int]
    layout: str = ""


@dataclass(frozen=True)
class ModelMetadata:
    """What a client needs to call a model version."""

    name: str
    versions: list[str]
    platform: str
    inputs: list[TensorMetadata]
    outputs: list[TensorMetadata]
    version: int = 0
    rt_info: dict[str, Any] = field(default_factory=dict)
