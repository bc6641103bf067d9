"""OpenVINO's LowLatency2 transformation for ``low_latency_transformation: true``."""

from __future__ import annotations

import openvino as ov
from openvino.passes import LowLatency2, Manager

from ovms_core.base.errors import OvmsError
from ovms_core.base.status_codes import StatusCode

__all__ = ["apply_low_latency"]


def apply_low_latency(model: ov.Model) -> None:
    """Turn the recurrences of ``model`` (TensorIterator, Loop) into variables, in place."""
    manager = Manager()
    manager.register_pass(LowLatency2())
    try:
        manager.run_passes(model)
    except Exception as error:  # OpenVINO raises RuntimeError subclasses with the reason
        raise OvmsError(StatusCode.INTERNAL_ERROR, f"low latency transformation: {error}") from None
