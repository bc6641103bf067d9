"""Element types: KServe datatype names, numpy dtypes and OpenVINO element types."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import openvino as ov

__all__ = ["BYTES", "Datatype", "by_kserve_name", "from_numpy", "from_ov_type"]


@dataclass(frozen=True)
class Datatype:
    """One element type as each side names it."""

    kserve: str
    numpy: np.dtype
    ov_type: ov.Type
    ovms: str
    """The OVMS precision name used in messages (``FP32``, ``I32``, ``U8``...)."""
    tfs: str
    """The TensorFlow ``DataType`` enum name (``DT_FLOAT``...)."""
    tfs_number: int
    """The TensorFlow ``DataType`` enum value."""

    @property
    def itemsize(self) -> int:
        """Bytes per element (0 for variable-length BYTES)."""
        return 0 if self.kserve == "BYTES" else self.numpy.itemsize


def _dt(
    kserve: str, numpy: str, ov_type: ov.Type, ovms: str, tfs: str, tfs_number: int
) -> Datatype:
    return Datatype(kserve, np.dtype(numpy), ov_type, ovms, tfs, tfs_number)


BYTES = _dt("BYTES", "object", ov.Type.string, "STRING", "DT_STRING", 7)

_ALL = [
    _dt("BOOL", "bool", ov.Type.boolean, "BOOL", "DT_BOOL", 10),
    _dt("UINT8", "uint8", ov.Type.u8, "U8", "DT_UINT8", 4),
    _dt("UINT16", "uint16", ov.Type.u16, "U16", "DT_UINT16", 17),
    _dt("UINT32", "uint32", ov.Type.u32, "U32", "DT_UINT32", 22),
    _dt("UINT64", "uint64", ov.Type.u64, "U64", "DT_UINT64", 23),
    _dt("INT8", "int8", ov.Type.i8, "I8", "DT_INT8", 6),
    _dt("INT16", "int16", ov.Type.i16, "I16", "DT_INT16", 5),
    _dt("INT32", "int32", ov.Type.i32, "I32", "DT_INT32", 3),
    _dt("INT64", "int64", ov.Type.i64, "I64", "DT_INT64", 9),
    _dt("FP16", "float16", ov.Type.f16, "FP16", "DT_HALF", 19),
    _dt("FP32", "float32", ov.Type.f32, "FP32", "DT_FLOAT", 1),
    _dt("FP64", "float64", ov.Type.f64, "FP64", "DT_DOUBLE", 2),
    # numpy has no bfloat16: BF16 travels as raw 16-bit words.
    _dt("BF16", "uint16", ov.Type.bf16, "BF16", "DT_BFLOAT16", 14),
    BYTES,
]

_BY_KSERVE = {d.kserve: d for d in _ALL}
_BY_OV = {d.ov_type.get_type_name(): d for d in _ALL}
_BY_NUMPY = {d.numpy: d for d in _ALL if d.kserve != "BF16"}
_BY_TFS = {d.tfs_number: d for d in _ALL}


def by_tfs_number(number: int) -> Datatype | None:
    """The datatype of a TensorFlow ``DataType`` enum value; None when unsupported."""
    return _BY_TFS.get(number)


def by_kserve_name(name: str) -> Datatype | None:
    """The datatype for a KServe name such as ``FP32``; None when unknown."""
    return _BY_KSERVE.get(name)


def from_ov_type(ov_type: ov.Type) -> Datatype | None:
    """The datatype of an OpenVINO element type; None when it has no KServe name."""
    return _BY_OV.get(ov_type.get_type_name())


def from_numpy(dtype: np.dtype) -> Datatype | None:
    """The datatype of a numpy dtype (object and bytes dtypes are BYTES)."""
    if dtype.kind in "OSU":
        return BYTES
    return _BY_NUMPY.get(dtype)
