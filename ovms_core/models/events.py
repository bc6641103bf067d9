"""What the model manager tells the rest of the server about model versions."""

from __future__ import annotations

from typing import TYPE_CHECKING, Protocol

if TYPE_CHECKING:
    import openvino as ov

    from ovms_core.base.errors import OvmsError
    from ovms_core.config.model_config import ModelConfig

__all__ = ["ModelEvents"]


class ModelEvents(Protocol):
    """Receives version events; the server's hooks (``ovms_model_*`` hookspecs) implement it."""

    def model_read(self, model_config: ModelConfig, version: int, model: ov.Model) -> None:
        """A version was read and reshaped; ``model`` may be changed before it is compiled."""

    def model_version_loaded(self, model_name: str, version: int) -> None:
        """A version became AVAILABLE."""

    def model_version_unloaded(self, model_name: str, version: int) -> None:
        """A version reached END."""

    def model_version_failed(self, model_name: str, version: int, error: OvmsError) -> None:
        """A version failed to load."""
