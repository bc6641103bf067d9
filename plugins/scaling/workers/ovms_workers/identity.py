"""Which worker this process is, read from the environment the supervisor sets."""

from __future__ import annotations

import os
from dataclasses import dataclass

__all__ = ["ENVIRONMENT", "WorkerIdentity"]

ENVIRONMENT = "OVMS_WORKER"
"""``<index>:<count>:<directory>``; set by the supervisor for each worker it starts."""


@dataclass(frozen=True)
class WorkerIdentity:
    """Worker ``index`` of ``count``; ``directory`` holds each worker's Unix socket."""

    index: int
    count: int
    directory: str

    @classmethod
    def from_environment(cls) -> WorkerIdentity | None:
        """The identity the supervisor gave this process, or None outside ``--workers``."""
        text = os.environ.get(ENVIRONMENT, "")
        if not text:
            return None
        index, count, directory = text.split(":", 2)
        return cls(int(index), int(count), directory)

    def environment_value(self) -> str:
        """The ``OVMS_WORKER`` value that names this identity."""
        return f"{self.index}:{self.count}:{self.directory}"

    def socket_path(self, index: int) -> str:
        """Where worker ``index`` listens for its peers."""
        return os.path.join(self.directory, f"worker-{index}.sock")

    @property
    def peers(self) -> list[int]:
        """Indexes of the other workers."""
        return [i for i in range(self.count) if i != self.index]
