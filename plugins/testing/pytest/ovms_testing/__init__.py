"""Test support for ovms plugin authors: fixtures, model builders, a server runner, contracts.

Installing the distribution registers the fixtures of ``ovms_testing.plugin`` with pytest
(entry point ``pytest11``); the contract suites are in ``ovms_testing.contracts``. The helpers
below are for tests that build their own fixtures.
"""

# First: importing ovms_core caps malloc arenas before OpenVINO starts threads (ovms_core.heap),
# and pytest loads this plugin before any test module.
import ovms_core  # noqa: F401
from ovms_testing.models import ModelRepository, dummy_model, save_version
from ovms_testing.server import ServerProcess, free_port
from ovms_testing.services import ServiceProcess

__all__ = [
    "ModelRepository",
    "ServerProcess",
    "ServiceProcess",
    "dummy_model",
    "free_port",
    "save_version",
]
