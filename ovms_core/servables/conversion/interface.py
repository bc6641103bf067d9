"""The input converter interface: plugins in the ``ovms.converters`` entry-point group."""

from __future__ import annotations

from abc import ABC, abstractmethod

import numpy as np

from ovms_core.execution.tensor_info import TensorInfo
from ovms_core.servables.types import InferInput

__all__ = ["InputConverter"]


class InputConverter(ABC):
    """Makes the elements of a 1-D BYTES request input into a model input's tensor.

    Registered as a class (called with no arguments) in the ``ovms.converters`` entry-point
    group; loaded on the first request that has a BYTES input.
    """

    @abstractmethod
    def accepts(self, info: TensorInfo) -> bool:
        """Whether BYTES sent to the model input ``info`` are this converter's to convert."""

    @abstractmethod
    async def convert(
        self, item: InferInput, elements: list[bytes], info: TensorInfo
    ) -> np.ndarray:
        """The tensor for ``info`` made of ``elements``, one per element of ``item``.

        Raise ``OvmsError``; the input's name is added to its details. Work that takes long
        (decoding big images) must run off the event loop, e.g. in ``run_in_executor``.
        """
