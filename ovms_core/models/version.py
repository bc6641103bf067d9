"""One model version: its state machine and the compiled version requests run on."""

from __future__ import annotations

import asyncio
import logging

from ovms_core.base.errors import OvmsError
from ovms_core.base.status_codes import StatusCode
from ovms_core.models.compiled import CompiledVersion
from ovms_core.models.states import VersionState

__all__ = ["LOADING_WAIT_SECONDS", "ModelVersion"]

log = logging.getLogger("ovms.modelmanager")
LOADING_WAIT_SECONDS = 10.0


class ModelVersion:
    """State (OVMS numbering), status code and current compiled version of one version."""

    def __init__(self, model_name: str, number: int) -> None:
        self.model_name = model_name
        self.number = number
        self.state = VersionState.START
        self.status = StatusCode.OK
        self.error: OvmsError | None = None
        self.compiled: CompiledVersion | None = None
        self.loading = False
        """A load (first load, retry or reload beside the compiled version) is in progress."""
        self._changed = asyncio.Event()

    def set_state(self, state: VersionState, status: StatusCode = StatusCode.OK) -> None:
        """Move to ``state`` and log the change as OVMS does (waiters are woken either way)."""
        if (state, status) == (self.state, self.status):
            self.notify()
            return
        self.state = state
        self.status = status
        log.info(
            'STATUS CHANGE: Version %d of model %s status change. New status: ( "state": "%s", '
            '"error_code": "%s" )',
            self.number,
            self.model_name,
            state.name,
            status.name,
        )
        self.notify()

    def notify(self) -> None:
        """Wake requests waiting in ``wait_available`` so they look at the version again."""
        self._changed.set()
        self._changed = asyncio.Event()

    @property
    def failed(self) -> bool:
        """The last load failed, nothing serves the version and no retry is running."""
        return self.compiled is None and self.error is not None and not self.loading

    @property
    def error_code(self) -> str:
        """The status code name reported in model status."""
        return self.status.name

    async def wait_available(self, timeout: float = LOADING_WAIT_SECONDS) -> CompiledVersion:
        """The compiled version once AVAILABLE, waiting up to ``timeout`` while START or LOADING.

        A version whose load failed, with no retry running, answers at once: waiting could
        only end in the same error.
        """
        loop = asyncio.get_running_loop()
        deadline = loop.time() + timeout
        while True:
            if self.state == VersionState.AVAILABLE and self.compiled is not None:
                return self.compiled
            if self.state >= VersionState.UNLOADING:
                raise OvmsError(StatusCode.MODEL_VERSION_NOT_LOADED_ANYMORE)
            remaining = deadline - loop.time()
            if remaining <= 0 or self.failed:
                raise OvmsError(StatusCode.MODEL_VERSION_NOT_LOADED_YET)
            try:
                await asyncio.wait_for(self._changed.wait(), remaining)
            except TimeoutError:
                raise OvmsError(StatusCode.MODEL_VERSION_NOT_LOADED_YET) from None
