"""Logging set-up with the OVMS levels (TRACE below DEBUG)."""

from __future__ import annotations

import logging
import sys

__all__ = ["TRACE", "setup_logging"]

TRACE = 5
logging.addLevelName(TRACE, "TRACE")
_FORMAT = "[%(asctime)s.%(msecs)03d][%(process)d][%(name)s][%(levelname)s] %(message)s"


def setup_logging(level: str, path: str = "") -> None:
    """Log to stderr (and ``path`` when given) at ``level`` (TRACE, DEBUG, INFO, ...)."""
    numeric = TRACE if level == "TRACE" else getattr(logging, level, logging.INFO)
    handlers: list[logging.Handler] = [logging.StreamHandler(sys.stderr)]
    if path:
        handlers.append(logging.FileHandler(path))
    formatter = logging.Formatter(_FORMAT, datefmt="%Y-%m-%d %H:%M:%S")
    for handler in handlers:
        handler.setFormatter(formatter)
    root = logging.getLogger()
    root.handlers[:] = handlers
    root.setLevel(numeric)
    # Third-party access logs would cost a formatted line per request.
    logging.getLogger("tornado.access").setLevel(max(numeric, logging.WARNING))
    # Stevedore warns of a driver nobody installed; the kernel's error says it once, with the fix.
    logging.getLogger("stevedore.named").setLevel(max(numeric, logging.ERROR))
