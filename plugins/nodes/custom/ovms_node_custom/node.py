"""One pipeline node backed by a custom node library.

Outputs are numpy arrays over the library's own buffers (no copy); each buffer goes back to
the library with ``release`` when the last array using it is gone. The node is deinitialized
once it is closed and every buffer it produced has been released.
"""

from __future__ import annotations

import logging
import math
import threading
from collections.abc import Callable
from ctypes import POINTER, byref, c_int, c_uint8, c_uint64, c_void_p, cast
from typing import Any

import numpy as np

from ovms_core import OvmsError, PipelineNode, StatusCode, TensorMetadata
from ovms_node_custom.abi import (
    DATATYPES,
    PRECISIONS,
    CustomNodeParam,
    CustomNodeTensor,
    CustomNodeTensorInfo,
    Library,
    numpy_dtype,
)

__all__ = ["CustomNode"]

log = logging.getLogger("ovms.nodes.custom")


class _Buffer:
    """Exposes one library buffer to numpy and releases it when numpy lets go of it."""

    def __init__(
        self, address: int, dtype: np.dtype, shape: tuple[int, ...], done: Callable[[], None]
    ) -> None:
        self.__array_interface__ = {
            "data": (address, False),
            "shape": shape,
            "typestr": dtype.str,
            "version": 3,
        }
        self._done = done

    def __del__(self) -> None:
        self._done()


class CustomNode(PipelineNode):
    """``initialize`` at creation, ``execute`` per request, ``deinitialize`` after close."""

    def __init__(self, name: str, library: Library, params: dict[str, str]) -> None:
        self.name = name
        self.library = library
        entries = [CustomNodeParam(k.encode(), v.encode()) for k, v in params.items()]
        self._entries = entries  # the array below points into these
        self._params = (CustomNodeParam * max(1, len(entries)))(*entries)
        self._params_count = len(entries)
        self._lock = threading.Lock()
        self._live = 0
        self._closed = False
        self._finished = False
        manager = c_void_p()
        status = library.initialize(byref(manager), self._params, self._params_count)
        if status != 0:
            raise OvmsError(
                StatusCode.NODE_LIBRARY_INITIALIZE_FAILED,
                f"node: {name}; library: {library.path}; initialize returned {status}",
            )
        self._manager = manager
        try:
            self._inputs = self._info(library.get_inputs_info, "getInputsInfo")
            self._outputs = self._info(library.get_outputs_info, "getOutputsInfo")
        except OvmsError:
            self._deinitialize()
            raise

    def inputs_info(self) -> list[TensorMetadata]:
        """What ``getInputsInfo`` declared."""
        return list(self._inputs)

    def outputs_info(self) -> list[TensorMetadata]:
        """What ``getOutputsInfo`` declared."""
        return list(self._outputs)

    def _info(self, function: Any, symbol: str) -> list[TensorMetadata]:
        info = POINTER(CustomNodeTensorInfo)()
        count = c_int()
        status = function(
            byref(info), byref(count), self._params, self._params_count, self._manager
        )
        if status != 0:
            raise self._metadata_error(f"{symbol} returned {status}")
        if not info:
            raise self._metadata_error(f"{symbol} returned no array")
        found = []
        problem = ""
        for index in range(count.value):
            item = info[index]
            dims = [item.dims[i] for i in range(item.dimsCount)] if item.dims else []
            if item.dims:
                self._release(item.dims)
            datatype = DATATYPES.get(item.precision)
            if item.name is None:
                problem = problem or f"{symbol}: tensor {index} has no name"
            elif datatype is None:
                problem = problem or f"{symbol}: tensor {item.name.decode()} has no precision"
            else:
                shape = [-1 if d == 0 else int(d) for d in dims]
                found.append(TensorMetadata(item.name.decode(), datatype, shape))
        self._release(info)
        if problem:
            raise self._metadata_error(problem)
        return found

    def _metadata_error(self, details: str) -> OvmsError:
        return OvmsError(
            StatusCode.NODE_LIBRARY_METADATA_FAILED,
            f"node: {self.name}; library: {self.library.path}; {details}",
        )

    def _release(self, pointer: Any) -> None:
        self.library.release(cast(pointer, c_void_p), self._manager)

    def execute(self, inputs: dict[str, np.ndarray]) -> dict[str, np.ndarray]:
        """Call the library's ``execute`` and wrap its outputs without copying."""
        tensors = (CustomNodeTensor * max(1, len(inputs)))()
        keep: list[Any] = []
        for index, (name, array) in enumerate(inputs.items()):
            precision = PRECISIONS.get(array.dtype)
            if precision is None:
                raise OvmsError(
                    StatusCode.INVALID_PRECISION,
                    f"node: {self.name}; input: {name}; custom nodes take no {array.dtype} data",
                )
            contiguous = np.ascontiguousarray(array)
            dims = (c_uint64 * max(1, contiguous.ndim))(*contiguous.shape)
            encoded = name.encode()
            keep += [contiguous, dims, encoded]
            tensor = tensors[index]
            tensor.name = encoded
            tensor.data = contiguous.ctypes.data_as(POINTER(c_uint8))
            tensor.dataBytes = contiguous.nbytes
            tensor.dims = dims
            tensor.dimsCount = contiguous.ndim
            tensor.precision = precision
        outputs = POINTER(CustomNodeTensor)()
        count = c_int()
        status = self.library.execute(
            tensors,
            len(inputs),
            byref(outputs),
            byref(count),
            self._params,
            self._params_count,
            self._manager,
        )
        if status != 0:
            raise OvmsError(
                StatusCode.NODE_LIBRARY_EXECUTION_FAILED,
                f"node: {self.name}; execute returned {status}",
            )
        if not outputs:
            raise OvmsError(StatusCode.NODE_LIBRARY_OUTPUTS_CORRUPTED, f"node: {self.name}")
        if count.value <= 0:
            self._release(outputs)
            raise OvmsError(
                StatusCode.NODE_LIBRARY_OUTPUTS_CORRUPTED_COUNT,
                f"node: {self.name}; count: {count.value}",
            )
        results: dict[str, np.ndarray] = {}
        error: OvmsError | None = None
        for index in range(count.value):
            try:
                name, array = self._wrap(outputs[index])
                results[name] = array
            except OvmsError as problem:
                error = error or problem
        self._release(outputs)
        if error is not None:
            raise error
        return results

    def _wrap(self, tensor: CustomNodeTensor) -> tuple[str, np.ndarray]:
        """One output as a numpy array over its buffer; every pointer is released on failure."""
        dims = tuple(int(tensor.dims[i]) for i in range(tensor.dimsCount)) if tensor.dims else ()
        if tensor.dims:
            self._release(tensor.dims)
        data = tensor.data
        try:
            if tensor.name is None:
                raise OvmsError(StatusCode.NODE_LIBRARY_OUTPUT_MISSING_NAME, f"node: {self.name}")
            name = tensor.name.decode()
            dtype = numpy_dtype(tensor.precision)
            if dtype is None:
                raise OvmsError(
                    StatusCode.NODE_LIBRARY_INVALID_PRECISION,
                    f"node: {self.name}; output: {name}; precision value: {tensor.precision}",
                )
            expected = math.prod(dims) * dtype.itemsize
            if tensor.dataBytes != expected or (not data and expected):
                actual = "no data" if not data else f"{tensor.dataBytes} bytes"
                raise OvmsError(
                    StatusCode.NODE_LIBRARY_INVALID_CONTENT_SIZE,
                    f"node: {self.name}; output: {name}; Expected: {expected} bytes; "
                    f"Actual: {actual}",
                )
        except OvmsError:
            if data:
                self._release(data)
            raise
        if not data:
            return name, np.empty(dims, dtype)
        address = cast(data, c_void_p).value
        assert address is not None
        with self._lock:
            self._live += 1
        return name, np.asarray(_Buffer(address, dtype, dims, self._freer(address)))

    def _freer(self, address: int) -> Callable[[], None]:
        def free() -> None:
            self.library.release(c_void_p(address), self._manager)
            with self._lock:
                self._live -= 1
                last = self._closed and self._live == 0
            if last:
                self._deinitialize()

        return free

    def close(self) -> None:
        """Deinitialize now, or when the last output buffer is released."""
        with self._lock:
            self._closed = True
            now = self._live == 0
        if now:
            self._deinitialize()

    def _deinitialize(self) -> None:
        with self._lock:
            if self._finished:
                return
            self._finished = True
        status = self.library.deinitialize(self._manager)
        if status != 0:
            log.error("Custom node %s: deinitialize returned %d", self.name, status)
