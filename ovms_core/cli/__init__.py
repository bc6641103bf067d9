"""The ``ovms`` command line."""

from ovms_core.cli.main import main

__all__ = ["main"]
