"""Large JSON bodies are parsed in a worker process, so the event loop keeps serving.

orjson holds the GIL for the whole parse (seconds for tens of megabytes of numbers), so a
thread would stall every other client just the same. The worker parses the JSON and turns each
input's numeric ``data`` into a numpy array; the loop only copies bytes in and arrays out.
"""

from __future__ import annotations

import asyncio
import multiprocessing
from concurrent.futures import ProcessPoolExecutor
from typing import Any

import numpy as np
import orjson

from ovms_core import OvmsError, StatusCode

__all__ = ["OFFLOAD_BYTES", "JsonOffload"]

OFFLOAD_BYTES = 4 * 1024 * 1024
"""JSON parts at least this large are parsed in the worker process."""


def _parse(head: bytes) -> tuple[Any, str | None]:
    """In the worker: the document with numeric ``data`` lists as arrays, or the JSON error."""
    try:
        document = orjson.loads(head)
    except orjson.JSONDecodeError as error:
        return None, str(error)
    inputs = document.get("inputs") if isinstance(document, dict) else None
    for raw in inputs if isinstance(inputs, list) else ():
        data = raw.get("data") if isinstance(raw, dict) else None
        if isinstance(data, list) and raw.get("datatype") != "BYTES":
            try:
                array = np.asarray(data)
            except ValueError:
                continue  # ragged: the codec reports it
            if array.dtype.kind in "biuf":
                raw["data"] = array
    return document, None


class JsonOffload:
    """One worker process, started on first use and shared by every request."""

    def __init__(self) -> None:
        self._pool: ProcessPoolExecutor | None = None

    async def parse(self, head: bytes) -> Any:
        """The parsed document (numeric ``data`` as arrays); ``JSON_INVALID`` when malformed."""
        if self._pool is None:
            self._pool = ProcessPoolExecutor(1, mp_context=multiprocessing.get_context("spawn"))
        loop = asyncio.get_running_loop()
        document, error = await loop.run_in_executor(self._pool, _parse, head)
        if error is not None:
            raise OvmsError(StatusCode.JSON_INVALID, error)
        return document

    async def close(self) -> None:
        """Stop the worker process, if it was started, and wait until it has exited."""
        pool, self._pool = self._pool, None
        if pool is not None:
            await asyncio.to_thread(pool.shutdown, wait=True, cancel_futures=True)
