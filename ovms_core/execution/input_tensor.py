"""OpenVINO tensors over request arrays."""

from __future__ import annotations

import numpy as np
import openvino as ov

__all__ = ["input_tensor"]


def input_tensor(infer_request: ov.InferRequest, index: int, array: np.ndarray) -> ov.Tensor:
    """A tensor sharing ``array``; 16-bit words for a bf16 input are typed bf16 (numpy has none).

    Strings (BYTES, an object array of ``bytes``) are copied: OpenVINO cannot share them.
    """
    if array.dtype == object:
        return ov.Tensor(array.astype(np.bytes_))
    if array.dtype.kind == "S":
        return ov.Tensor(array)
    if array.dtype == np.uint16:
        port_type = infer_request.model_inputs[index].get_element_type()
        if port_type == ov.Type.bf16:
            return ov.Tensor(array, list(array.shape), port_type)
    return ov.Tensor(array, shared_memory=True)
