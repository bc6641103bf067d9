"""The custom node C ABI: structures, precisions and the six library functions (ctypes)."""

from __future__ import annotations

import ctypes
import os
from ctypes import POINTER, Structure, c_char_p, c_int, c_uint8, c_uint64, c_void_p

import numpy as np

from ovms_core import OvmsError, StatusCode

__all__ = [
    "DATATYPES",
    "PRECISIONS",
    "SYMBOLS",
    "CustomNodeParam",
    "CustomNodeTensor",
    "CustomNodeTensorInfo",
    "Library",
    "numpy_dtype",
]

UNSPECIFIED = 0
# CustomNodeTensorPrecision value -> KServe datatype name.
DATATYPES = {
    1: "FP32",
    2: "FP16",
    3: "UINT8",
    4: "INT8",
    5: "INT16",
    6: "UINT16",
    7: "INT32",
    8: "FP64",
    9: "INT64",
}
_NUMPY: dict[str, np.dtype] = {
    "FP32": np.dtype("float32"),
    "FP16": np.dtype("float16"),
    "UINT8": np.dtype("uint8"),
    "INT8": np.dtype("int8"),
    "INT16": np.dtype("int16"),
    "UINT16": np.dtype("uint16"),
    "INT32": np.dtype("int32"),
    "FP64": np.dtype("float64"),
    "INT64": np.dtype("int64"),
}
# numpy dtype -> CustomNodeTensorPrecision value.
PRECISIONS = {_NUMPY[name]: value for value, name in DATATYPES.items()}


def numpy_dtype(precision: int) -> np.dtype | None:
    """The numpy dtype of a precision value; None for UNSPECIFIED or unknown values."""
    name = DATATYPES.get(precision)
    return None if name is None else _NUMPY[name]


class CustomNodeTensor(Structure):
    _fields_ = [
        ("name", c_char_p),
        ("data", POINTER(c_uint8)),
        ("dataBytes", c_uint64),
        ("dims", POINTER(c_uint64)),
        ("dimsCount", c_uint64),
        ("precision", c_int),
    ]


class CustomNodeTensorInfo(Structure):
    _fields_ = [
        ("name", c_char_p),
        ("dims", POINTER(c_uint64)),
        ("dimsCount", c_uint64),
        ("precision", c_int),
    ]


class CustomNodeParam(Structure):
    _fields_ = [("key", c_char_p), ("value", c_char_p)]


_PARAMS = POINTER(CustomNodeParam)
_INFO_OUT = POINTER(POINTER(CustomNodeTensorInfo))
SYMBOLS = {
    "initialize": (POINTER(c_void_p), _PARAMS, c_int),
    "deinitialize": (c_void_p,),
    "execute": (
        POINTER(CustomNodeTensor),
        c_int,
        POINTER(POINTER(CustomNodeTensor)),
        POINTER(c_int),
        _PARAMS,
        c_int,
        c_void_p,
    ),
    "getInputsInfo": (_INFO_OUT, POINTER(c_int), _PARAMS, c_int, c_void_p),
    "getOutputsInfo": (_INFO_OUT, POINTER(c_int), _PARAMS, c_int, c_void_p),
    "release": (c_void_p, c_void_p),
}


class Library:
    """One loaded shared object with its six functions typed."""

    def __init__(self, path: str) -> None:
        self.path = path
        if not os.path.isfile(path):
            raise OvmsError(StatusCode.NODE_LIBRARY_LOAD_FAILED_OPEN, f"no such file: {path}")
        try:
            self._handle = ctypes.CDLL(path, mode=os.RTLD_LAZY | os.RTLD_LOCAL)
        except OSError as error:
            raise OvmsError(StatusCode.NODE_LIBRARY_LOAD_FAILED_OPEN, str(error)) from None
        for symbol, argtypes in SYMBOLS.items():
            try:
                function = getattr(self._handle, symbol)
            except AttributeError:
                raise OvmsError(
                    StatusCode.NODE_LIBRARY_LOAD_FAILED_SYM, f"{path}: symbol {symbol} not found"
                ) from None
            function.argtypes = argtypes
            function.restype = c_int
        self.initialize = self._handle.initialize
        self.deinitialize = self._handle.deinitialize
        self.execute = self._handle.execute
        self.get_inputs_info = self._handle.getInputsInfo
        self.get_outputs_info = self._handle.getOutputsInfo
        self.release = self._handle.release
