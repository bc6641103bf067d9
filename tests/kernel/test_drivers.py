import pluggy
import pytest

from ovms_core import hookimpl
from ovms_core.plugins.drivers import DriverLoader
from ovms_core.plugins.errors import DriverNotFound
from ovms_core.plugins.hooks import Hooks


def test_missing_driver_suggests_its_distribution():
    with pytest.raises(DriverNotFound) as caught:
        DriverLoader().get("storage", "s3")
    assert "No storage driver named 's3' is installed" in str(caught.value)
    assert "pip install ovms-storage-s3" in str(caught.value)


def test_unknown_driver_name_suggests_the_entry_point_group():
    with pytest.raises(DriverNotFound, match=r"entry-point group ovms\.devices"):
        DriverLoader().get("device", "QUANTUM")


def test_hook_implementations_are_called_with_keywords():
    calls = []

    class Recorder:
        @hookimpl
        def ovms_model_version_loaded(self, model_name, version):
            calls.append((model_name, version))

    hooks = Hooks(load_entry_points=False)
    hooks.register(Recorder())
    hooks.model_version_loaded("m", 3)
    assert calls == [("m", 3)]


def test_misspelled_hook_is_rejected():
    class Typo:
        @hookimpl
        def ovms_model_version_loadded(self, model_name, version):
            pass

    hooks = Hooks(load_entry_points=False)
    with pytest.raises(pluggy.PluginValidationError):
        hooks.register(Typo())
