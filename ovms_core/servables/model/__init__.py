"""The model kind of servable: versions of a served model, run alone or by a run mode plugin."""

from ovms_core.servables.model.servable import ModelServable, RunnerCache, tensor_metadata
from ovms_core.servables.model.source import ModelSource

__all__ = ["ModelServable", "ModelSource", "RunnerCache", "tensor_metadata"]
