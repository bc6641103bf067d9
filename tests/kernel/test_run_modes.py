"""Run modes: the settings that ask for one, and the refusal when nobody installed it."""

import pytest

from ovms_core import ModelConfig, ServingConfig
from ovms_core.config.batching import DynamicBatching
from ovms_core.plugins.drivers import DriverLoader
from ovms_core.plugins.errors import DriverNotFound
from ovms_core.servables.model.modes import KIND, RunModes, requested_modes

STATEFUL = {"stateful": True}
BATCHING = {"dynamic_batching": DynamicBatching(4)}


def _config(**settings):
    return ServingConfig(models=(ModelConfig(name="m", base_path="/m", **settings),))


def test_settings_ask_for_their_run_modes():
    assert requested_modes(_config().models[0]) == []
    assert requested_modes(_config(**STATEFUL).models[0]) == ["stateful"]
    assert requested_modes(_config(**BATCHING).models[0]) == ["batching"]


def test_a_model_without_a_run_mode_needs_none():
    RunModes(DriverLoader()).check(_config())


@pytest.mark.parametrize(
    ("settings", "mode", "distribution"),
    [
        (STATEFUL, "stateful", "ovms-runner-stateful"),
        (BATCHING, "batching", "ovms-runner-batching"),
    ],
)
def test_a_missing_run_mode_names_the_model_and_the_distribution(settings, mode, distribution):
    drivers = DriverLoader()
    if mode in drivers.installed(KIND):
        pytest.skip(f"{distribution} is installed here")
    with pytest.raises(DriverNotFound) as caught:
        RunModes(drivers).check(_config(**settings))
    text = str(caught.value)
    assert text.startswith(f"Model m runs {mode}: No runner driver named '{mode}' is installed")
    assert f"pip install {distribution}" in text
