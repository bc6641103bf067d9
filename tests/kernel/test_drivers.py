import pluggy
import pytest

from ovms_core import hookimpl
from ovms_core.plugins.drivers import KNOWN_DISTRIBUTIONS, DriverLoader
from ovms_core.plugins.errors import DriverNotFound
from ovms_core.server.hooks import Hooks


def test_missing_driver_suggests_its_distribution():
    loader = DriverLoader()
    absent = [n for n in KNOWN_DISTRIBUTIONS["storage"] if n not in loader.installed("storage")]
    if not absent:
        pytest.skip("every known storage driver is installed here")
    name = absent[0]
    with pytest.raises(DriverNotFound) as caught:
        loader.get("storage", name)
    assert f"No storage driver named '{name}' is installed" in str(caught.value)
    assert f"pip install {KNOWN_DISTRIBUTIONS['storage'][name]}" in str(caught.value)


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
