import numpy as np
import openvino as ov
import pytest
from ovms_device_virtual import AutoDevice, BatchDevice, HeteroDevice, MultiDevice
from ovms_testing.contracts import DeviceContract
from ovms_testing.models import dummy_model

from ovms_core import OvmsError, StatusCode
from ovms_core.plugins.drivers import DriverLoader


class TestAutoDevice(DeviceContract):
    valid_properties = {"PERFORMANCE_HINT": "THROUGHPUT", "NUM_STREAMS": 2}
    valid_syntax = ("AUTO", "AUTO:CPU", "AUTO:GPU,CPU", "AUTO:-CPU", "auto: gpu.1 , cpu")
    invalid_syntax = (
        "AUTO:",
        "AUTO:CPU(2)",
        "AUTO:CPU,,GPU",
        "AUTO:MULTI",
        "AUTO:CPU,CPU",
        "X:CPU",
    )

    @pytest.fixture
    def driver(self):
        return AutoDevice()

    @pytest.fixture
    def target_device(self):
        return "AUTO:CPU"

    @pytest.fixture
    def absent_target_device(self):
        return "AUTO:GPU.7,CPU"


class TestMultiDevice(DeviceContract):
    valid_properties = {"PERFORMANCE_HINT": "LATENCY"}
    valid_syntax = ("MULTI:CPU", "MULTI:CPU,GPU", "MULTI:GPU(4),CPU(2)", "MULTI:GPU.0,GPU.1")
    invalid_syntax = (
        "MULTI",
        "MULTI:",
        "MULTI:-CPU",
        "MULTI:CPU(0)",
        "MULTI:CPU(x)",
        "MULTI:CPU(",
        "MULTI:AUTO:CPU",
        "MULTI:HETERO",
    )

    @pytest.fixture
    def driver(self):
        return MultiDevice()

    @pytest.fixture
    def target_device(self):
        return "MULTI:CPU"

    @pytest.fixture
    def absent_target_device(self):
        return "MULTI:CPU,GPU.7"


class TestHeteroDevice(DeviceContract):
    valid_syntax = ("HETERO:GPU,CPU", "HETERO:CPU", "HETERO:NPU,GPU.1,CPU")
    invalid_syntax = ("HETERO", "HETERO:", "HETERO:GPU(2),CPU", "HETERO:-CPU", "HETERO:BATCH")

    @pytest.fixture
    def driver(self):
        return HeteroDevice()

    @pytest.fixture
    def target_device(self):
        return "HETERO:CPU"

    @pytest.fixture
    def absent_target_device(self):
        return "HETERO:GPU.7,CPU"


class TestBatchDevice(DeviceContract):
    valid_properties = {"AUTO_BATCH_TIMEOUT": 50}  # a lone request waits this long for others
    valid_syntax = ("BATCH:CPU", "BATCH:CPU(16)", "BATCH:GPU.1(4)")
    invalid_syntax = ("BATCH", "BATCH:CPU,GPU", "BATCH:CPU(0)", "BATCH:-CPU", "BATCH:AUTO")

    @pytest.fixture
    def driver(self):
        return BatchDevice()

    @pytest.fixture
    def target_device(self):
        return "BATCH:CPU(4)"

    @pytest.fixture
    def absent_target_device(self):
        return "BATCH:GPU.7(4)"


@pytest.mark.parametrize(
    ("name", "driver_class"),
    [
        ("AUTO", AutoDevice),
        ("MULTI", MultiDevice),
        ("HETERO", HeteroDevice),
        ("BATCH", BatchDevice),
    ],
)
def test_registered_by_family(name, driver_class):
    assert isinstance(DriverLoader().get("device", name), driver_class)


@pytest.mark.parametrize(
    ("driver", "text", "members"),
    [
        (AutoDevice(), "AUTO", []),
        (AutoDevice(), "AUTO:-CPU", ["CPU"]),
        (MultiDevice(), "multi: cpu(2), gpu.1", ["CPU", "GPU.1"]),
        (HeteroDevice(), "HETERO:GPU,CPU", ["GPU", "CPU"]),
        (BatchDevice(), "BATCH:CPU(16)", ["CPU"]),
    ],
)
def test_parse_returns_the_listed_devices_for_their_own_drivers(driver, text, members):
    assert driver.parse(text) == members


def test_syntax_error_says_what_is_wrong_and_shows_an_example():
    with pytest.raises(OvmsError) as caught:
        BatchDevice().parse("BATCH:CPU,GPU")
    assert "BATCH takes exactly one device" in caught.value.message
    assert "for example BATCH:CPU(16)" in caught.value.message


def test_absent_member_is_named_with_this_machines_devices():
    core = ov.Core()
    with pytest.raises(OvmsError) as caught:
        MultiDevice().check(core, "MULTI:CPU,GPU.7", {})
    assert "device GPU.7 is not available on this machine" in caught.value.message
    assert f"available devices: {', '.join(core.available_devices)}" in caught.value.message


def test_member_properties_are_valid_keys_of_the_virtual_device():
    HeteroDevice().check(ov.Core(), "HETERO:CPU", {"PERFORMANCE_HINT": "LATENCY"})
    with pytest.raises(OvmsError) as caught:
        AutoDevice().check(ov.Core(), "AUTO:CPU", {"NUM_STREAMZ": 2})
    message = caught.value.message
    assert "NUM_STREAMZ is not a property of AUTO:CPU" in message
    assert "MODEL_PRIORITY" in message  # AUTO's own
    assert "INFERENCE_NUM_THREADS" in message  # the CPU's


def test_bad_value_of_the_virtual_devices_own_property():
    with pytest.raises(OvmsError) as caught:
        AutoDevice().check(ov.Core(), "AUTO", {"MODEL_PRIORITY": "TOP"})
    assert caught.value.code == StatusCode.PLUGIN_CONFIG_WRONG_FORMAT
    assert "MODEL_PRIORITY" in caught.value.message


def test_compile_uses_the_canonical_spelling():
    compiled = MultiDevice().compile(ov.Core(), dummy_model(), " multi: cpu(2) ", {})
    assert compiled.get_property("EXECUTION_DEVICES") == ["CPU"]


def test_batch_runs_concurrent_requests_with_correct_results():
    compiled = BatchDevice().compile(
        ov.Core(), dummy_model(), "BATCH:CPU(4)", {"AUTO_BATCH_TIMEOUT": 1000}
    )
    queue = ov.AsyncInferQueue(compiled, 4)
    results = {}
    queue.set_callback(lambda request, index: results.__setitem__(index, request.results))
    for index in range(8):
        values = np.full((1, 10), index, dtype=np.float32)
        queue.start_async({0: values}, index)
    queue.wait_all()
    for index in range(8):
        np.testing.assert_array_equal(
            next(iter(results[index].values())), np.full((1, 10), index + 1, dtype=np.float32)
        )


def test_describe_names_the_devices_it_can_use():
    [row] = AutoDevice().describe(ov.Core())
    assert row["device"] == "AUTO"
    assert "CPU" in row["can_use"]
