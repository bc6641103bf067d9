"""Deprecated: the test support moved to the ``ovms-testing`` distribution (``ovms_testing``).

For one release this package re-exports ``ovms_testing``'s modules under their old names.
"""

import sys
import warnings

try:
    from ovms_testing import contracts, models, packaging, server, services
    from ovms_testing.contracts import device, frontend, node, remote_storage, storage
except ModuleNotFoundError as error:
    if error.name != "ovms_testing":
        raise
    raise ImportError(
        "ovms_core.testing moved to the ovms-testing distribution: "
        "pip install ovms-testing, then import ovms_testing"
    ) from error

warnings.warn(
    "ovms_core.testing is deprecated: install ovms-testing and import ovms_testing",
    DeprecationWarning,
    stacklevel=2,
)

_MODULES = (contracts, models, packaging, server, services)
_CONTRACTS = (device, frontend, node, remote_storage, storage)
for _module in (*_MODULES, *_CONTRACTS):
    sys.modules[_module.__name__.replace("ovms_testing", __name__, 1)] = _module
