import math

import openvino as ov
import pytest
from prometheus_client import Counter
from prometheus_client.parser import text_string_to_metric_families

from ovms_core import ConfigError, Metrics, ServerSettings, ServingConfig, VersionState, hookimpl
from ovms_core.config import ModelConfig
from ovms_core.metrics import BUCKETS_US, DEFAULT_FAMILIES, OPTIONAL_FAMILIES, exposition
from ovms_core.models.manager import ModelManager
from ovms_core.models.model import Model
from ovms_core.models.version import ModelVersion
from ovms_core.plugins.drivers import DriverLoader
from ovms_core.server.hooks import Hooks
from ovms_core.server.server import Server

ALL = (*DEFAULT_FAMILIES, *OPTIONAL_FAMILIES)


def manager_with(**versions):
    """A manager whose models have versions in the given states (nothing is loaded)."""
    manager = ModelManager(ov.Core(), DriverLoader(), Hooks(load_entry_points=False))
    for name, states in versions.items():
        model = Model(ModelConfig(name=name, base_path="/nowhere"))
        for number, state in states.items():
            version = ModelVersion(name, number)
            version.state = state
            model.versions[number] = version
        model.default = max(
            (v for v in model.versions.values() if v.state == VersionState.AVAILABLE),
            key=lambda v: v.number,
            default=None,
        )
        manager.models[name] = model
    return manager


def metrics_for(manager, names=ALL):
    return Metrics.from_settings(ServerSettings(metrics_enable=True, metrics_list=names), manager)


def scrape(metrics):
    return {f.name: f for f in text_string_to_metric_families(metrics.exposition().decode())}


def value(families, family, sample, **labels):
    for s in families[family].samples:
        if s.name == sample and s.labels == labels:
            return s.value
    raise KeyError((sample, labels))


def test_buckets_are_the_ovms_formula():
    assert tuple(math.floor(10 * 1.8**i) for i in range(33)) == BUCKETS_US


def test_family_selection():
    manager = manager_with()
    assert not Metrics.from_settings(ServerSettings(), manager).enabled
    default = Metrics.from_settings(ServerSettings(metrics_enable=True), manager)
    assert default.families == DEFAULT_FAMILIES
    assert "ovms_infer_req_active" not in default.families
    listed = metrics_for(manager, ("ovms_streams", "ovms_infer_req_active"))
    assert listed.families == {"ovms_streams", "ovms_infer_req_active"}
    with pytest.raises(ConfigError) as caught:
        metrics_for(manager, ("ovms_streams", "ovms_bogus"))
    assert caught.value.code.name == "INVALID_METRICS_FAMILY_NAME"
    assert "Invalid name in metrics_list" in str(caught.value)
    assert "ovms_bogus" in str(caught.value)


def test_series_are_precreated_for_every_version_and_api():
    metrics = metrics_for(manager_with(m={1: VersionState.AVAILABLE, 2: VersionState.LOADING}))
    families = scrape(metrics)
    success = families["ovms_requests_success"].samples
    # 2 versions x 2 apis x 2 interfaces x 2 versioned methods, plus 2 x 2 versionless series
    assert len(success) == 2 * 2 * 2 * 2 + 2 * 2
    assert all(s.value == 0 for s in success)
    status = [s for s in success if s.labels["method"] == "GetModelStatus"]
    assert all("version" not in s.labels for s in status)
    assert value(families, "ovms_streams", "ovms_streams", name="m", version="2") == 0
    buckets = [
        s.labels["le"]
        for s in families["ovms_request_time_us"].samples
        if s.name.endswith("_bucket")
        and s.labels["interface"] == "gRPC"
        and s.labels["version"] == "1"
    ]
    assert buckets == [*(str(b) for b in BUCKETS_US), "+Inf"]
    assert set(families) == {
        "ovms_requests_success",
        "ovms_requests_fail",
        "ovms_request_time_us",
        "ovms_inference_time_us",
        "ovms_wait_for_infer_req_time_us",
        "ovms_streams",
        "ovms_current_requests",
        "ovms_infer_req_queue_size",
        "ovms_infer_req_active",
    }


def test_requests_are_counted_per_label_set():
    metrics = metrics_for(manager_with(m={1: VersionState.AVAILABLE, 3: VersionState.AVAILABLE}))
    done = metrics.request_done
    done("TensorFlowServing", "REST", "Predict", "m", 1, True, 0.000050)
    done("TensorFlowServing", "REST", "Predict", "m", 1, True, 0.002)
    done("TensorFlowServing", "REST", "Predict", "m", None, False)  # default version: 3
    done("TensorFlowServing", "REST", "GetModelStatus", "m", 1, True)  # no version label
    done("KServe", "gRPC", "ModelInfer", "m", 3, False)
    done("KServe", "REST", "ModelInfer", "unknown", 1, True)  # not served: no series
    done("KServe", "REST", "ModelInfer", "m", 7, True)  # no such version: no series
    done("KServe", "REST", "NoSuchMethod", "m", 1, True)
    families = scrape(metrics)

    def count(kind, **labels):
        return value(families, f"ovms_requests_{kind}", f"ovms_requests_{kind}_total", **labels)

    tfs = {"api": "TensorFlowServing", "interface": "REST", "name": "m"}
    assert count("success", method="Predict", version="1", **tfs) == 2
    assert count("fail", method="Predict", version="3", **tfs) == 1
    assert count("success", method="GetModelStatus", **tfs) == 1
    assert (
        count("fail", api="KServe", interface="gRPC", method="ModelInfer", name="m", version="3")
        == 1
    )
    names = {s.labels["name"] for s in families["ovms_requests_success"].samples}
    assert names == {"m"}
    versions = {s.labels.get("version") for s in families["ovms_requests_success"].samples}
    assert versions == {"1", "3", None}
    time = {"interface": "REST", "name": "m", "version": "1"}
    assert value(families, "ovms_request_time_us", "ovms_request_time_us_count", **time) == 2
    assert value(
        families, "ovms_request_time_us", "ovms_request_time_us_sum", **time
    ) == pytest.approx(2050)
    assert (
        value(families, "ovms_request_time_us", "ovms_request_time_us_bucket", le="58", **time) == 1
    )
    assert (
        value(families, "ovms_request_time_us", "ovms_request_time_us_bucket", le="1983", **time)
        == 1
    )
    assert (
        value(families, "ovms_request_time_us", "ovms_request_time_us_bucket", le="3570", **time)
        == 2
    )


def test_inference_series_only_for_served_versions():
    metrics = metrics_for(manager_with(m={1: VersionState.AVAILABLE}))
    assert metrics.inference("m", 2) is None
    assert metrics.inference("other", 1) is None
    metrics.inference("m", 1).observe(0.000001, 0.01)
    families = scrape(metrics)
    labels = {"name": "m", "version": "1"}
    wait = "ovms_wait_for_infer_req_time_us"
    assert value(families, wait, f"{wait}_bucket", le="10", **labels) == 1
    inference = "ovms_inference_time_us"
    assert value(families, inference, f"{inference}_bucket", le="6426", **labels) == 0
    assert value(families, inference, f"{inference}_bucket", le="11568", **labels) == 1


def test_only_listed_families_are_exposed_and_plugin_metrics_follow():
    metrics = metrics_for(manager_with(m={1: VersionState.AVAILABLE}), ("ovms_requests_fail",))
    Counter("plugin_events", "Events a plugin counts.", registry=metrics.registry).inc(3)
    families = scrape(metrics)
    assert {name for name in families if name.startswith("ovms_")} == {"ovms_requests_fail"}
    assert value(families, "plugin_events", "plugin_events_total") == 3
    text = metrics.exposition().decode()
    assert "# TYPE ovms_requests_fail counter\n" in text
    assert (
        'ovms_requests_fail{api="KServe",interface="REST",method="ModelReady",name="m"} 0\n' in text
    )


def test_disabled_metrics_record_nothing():
    metrics = Metrics.disabled()
    metrics.request_done("KServe", "REST", "ModelInfer", "m", 1, True, 0.1)
    assert metrics.inference("m", 1) is None
    assert metrics.exposition() == b""


def test_register_metrics_hook_receives_the_registry():
    class Plugin:
        @hookimpl
        def ovms_register_metrics(self, registry):
            Counter("plugin_loads", "Loads seen by a plugin.", registry=registry).inc()

    hooks = Hooks(load_entry_points=False)
    hooks.register(Plugin(), name="metrics-plugin")
    settings = ServerSettings(metrics_enable=True)
    server = Server(settings, ServingConfig(), hooks, DriverLoader())
    server.prepare()
    families = scrape(server.metrics)
    assert value(families, "plugin_loads", "plugin_loads_total") == 1
    assert server.models.metrics is server.metrics


def test_texts_of_several_workers_merge_into_sums_in_first_seen_order():
    one = b'# HELP a A\n# TYPE a counter\na{x="1"} 2\na{x="2"} 1.5\n'
    two = b'# HELP a A\n# TYPE a counter\na{x="2"} 1\na{x="3"} 4\n# HELP b B\nb 7\n'
    merged = exposition.merge([one, two]).decode().splitlines()
    assert merged == [
        "# HELP a A",
        "# TYPE a counter",
        'a{x="1"} 2',
        'a{x="2"} 2.5',
        'a{x="3"} 4',
        "# HELP b B",
        "b 7",
    ]
    assert exposition.merge([b"", b""]) == b""
