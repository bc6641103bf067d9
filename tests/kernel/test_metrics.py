import openvino as ov
import pytest

from ovms_core import (
    Metrics,
    ServedVersions,
    ServerSettings,
    ServingConfig,
    VersionLoad,
    VersionState,
)
from ovms_core.config import ModelConfig
from ovms_core.models.manager import ModelManager
from ovms_core.models.model import Model
from ovms_core.models.version import ModelVersion
from ovms_core.plugins.drivers import DriverLoader
from ovms_core.plugins.errors import DriverNotFound
from ovms_core.server.hooks import Hooks
from ovms_core.server.server import Server


def served(**versions):
    """The view over a manager whose models have versions in the given states (none loaded)."""
    manager = ModelManager(ov.Core(), DriverLoader(), Hooks(load_entry_points=False))
    for name, states in versions.items():
        model = Model(ModelConfig(name=name, base_path="/nowhere"))
        for number, state in states.items():
            version = ModelVersion(name, number)
            version.state = state
            model.versions[number] = version
        model.update_default()
        manager.models[name] = model
    return ServedVersions(manager)


def test_metrics_off_record_nothing():
    metrics = Metrics()
    assert not metrics.enabled
    metrics.request_done("KServe", "REST", "ModelInfer", "m", 1, True, 0.1)
    assert metrics.inference("m", 1) is None
    assert metrics.exposition() is None


def test_metrics_are_found_in_the_context_services():
    class Counting(Metrics):
        pass

    class Context:
        services: dict = {}

    counting = Counting()
    context = Context()
    assert type(Metrics.of(context)) is Metrics
    context.services["metrics"] = counting
    assert Metrics.of(context) is counting
    context.services["metrics"] = object()
    assert Metrics.of(context) is not counting


def test_metrics_enable_without_a_metrics_plugin_names_the_distribution():
    server = Server(ServerSettings(), ServingConfig(), Hooks(), DriverLoader())
    assert type(server.metrics) is Metrics
    with pytest.raises(DriverNotFound) as caught:
        Server(ServerSettings(metrics_enable=True), ServingConfig(), Hooks(), DriverLoader())
    assert "No metrics driver named 'prometheus' is installed" in str(caught.value)
    assert "pip install ovms-metrics" in str(caught.value)


def test_served_versions_view():
    view = served(m={1: VersionState.AVAILABLE, 3: VersionState.AVAILABLE}, e={})
    assert sorted(view.names()) == ["e", "m"]
    assert view.serves("e")
    assert not view.serves("other")
    assert sorted(view.versions("m")) == [1, 3]
    assert view.versions("other") == []
    assert view.resolve("m", None) == 3
    assert view.resolve("m", 0) == 3
    assert view.resolve("m", 1) == 1
    assert view.resolve("m", 2) is None
    assert view.resolve("e", None) is None
    assert view.resolve("other", 1) is None
    assert view.load("m", 1) == VersionLoad()
    assert view.load("other", 1) == VersionLoad(0, 0, 0, 0)


def test_the_former_disabled_constructor_still_works_with_a_warning():
    with pytest.warns(DeprecationWarning, match="Metrics.disabled"):
        metrics = Metrics.disabled()
    assert not metrics.enabled and metrics.exposition() is None
