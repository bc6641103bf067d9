import os
import subprocess
import sys

import pytest

from ovms_core.cli.inventory import plugin_rows
from ovms_core.plugins.drivers import KNOWN_DISTRIBUTIONS, DriverLoader
from ovms_core.plugins.errors import DriverNotFound
from ovms_core.server.hooks import Hooks


def _known_but_not_installed():
    loader = DriverLoader()
    for kind, names in KNOWN_DISTRIBUTIONS.items():
        installed = loader.installed(kind)
        for name, dist in names.items():
            if installed and name not in installed:
                return kind, name, dist, installed
    pytest.skip("every driver with a known distribution is installed")


def test_missing_driver_names_installed_ones_and_the_distribution():
    kind, name, dist, installed = _known_but_not_installed()
    with pytest.raises(DriverNotFound) as caught:
        DriverLoader().get(kind, name)
    text = str(caught.value)
    assert f"'{name}'" in text
    assert installed[0] in text
    assert f"pip install {dist}" in text


def test_unknown_driver_name_suggests_the_entry_point_group():
    with pytest.raises(DriverNotFound, match=r"ovms\.devices"):
        DriverLoader().get("device", "QUANTUM")


def test_disabled_driver_is_refused(monkeypatch):
    monkeypatch.setenv("OVMS_DISABLE_PLUGINS", "file")
    with pytest.raises(DriverNotFound, match="disabled"):
        DriverLoader().get("storage", "file")


def test_drivers_are_cached():
    loader = DriverLoader()
    assert loader.get("device", "CPU") is loader.get("device", "CPU")


def test_inventory_lists_default_plugins_with_distribution():
    rows = {(group, name): dist for group, name, dist, _version, _note in plugin_rows()}
    assert rows[("ovms.frontends", "rest")] == "ovms-frontend-rest"
    assert rows[("ovms.storage", "file")] == "ovms-storage-local"
    assert rows[("ovms.devices", "CPU")] == "ovms-device-cpu"
    assert rows[("ovms.hookspecs", "metrics")] == "ovms-metrics"
    assert rows[("ovms.hookspecs", "bench")] == "ovms-command-bench"


def test_hook_manager_checks_pending():
    hooks = Hooks()
    assert isinstance(hooks.names(), list)


def test_ovms_plugins_command():
    done = subprocess.run(
        [sys.executable, "-m", "ovms_core", "plugins"], capture_output=True, text=True, timeout=60
    )
    assert done.returncode == 0
    assert "ovms-frontend-rest" in done.stdout
    assert "ovms-storage-local" in done.stdout
    assert "ovms-device-cpu" in done.stdout


def test_unavailable_frontend_stops_start_up(tmp_path):
    (tmp_path / "1").mkdir()
    done = subprocess.run(
        [sys.executable, "-m", "ovms_core", "serve", "--model_name", "a", "--model_path",
         str(tmp_path), "--port", "9999"],
        capture_output=True, text=True, timeout=60,
        env=dict(os.environ, OVMS_DISABLE_PLUGINS="grpc"),
    )  # fmt: skip
    assert done.returncode == 1
    assert "The frontend driver 'grpc' is disabled" in done.stderr
