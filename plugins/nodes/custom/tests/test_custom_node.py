import ctypes
import gc
from concurrent.futures import ThreadPoolExecutor

import numpy as np
import pytest
from ovms_node_custom import CustomNodeDriver
from ovms_testing.contracts import NodeContract

from ovms_core import NodeSpec, OvmsError
from ovms_core.plugins.drivers import DriverLoader


def spec(path, name="node", **params):
    return NodeSpec("p", name, "custom", params, library_name="lib", library_path=path)


def counters(path):
    """The test library's own counters (the same loaded object as the driver's)."""
    return ctypes.CDLL(path)


class TestCustomNodeContract(NodeContract):
    @pytest.fixture
    def driver(self):
        return CustomNodeDriver()

    @pytest.fixture
    def spec(self, libraries):
        return spec(libraries["add_constant"], value="2")

    @pytest.fixture
    def inputs(self):
        return {"input": np.arange(6, dtype=np.float32).reshape(2, 3)}


def test_registered_as_custom_driver():
    assert isinstance(DriverLoader().get("node", "custom"), CustomNodeDriver)


def test_outputs_view_library_buffers_until_released(libraries):
    path = libraries["add_constant"]
    lib = counters(path)
    node = CustomNodeDriver().create(spec(path, value="2.5"))
    assert [(m.name, m.datatype, m.shape) for m in node.inputs_info()] == [
        ("input", "FP32", [-1, -1])
    ]
    data = np.arange(6, dtype=np.float32).reshape(2, 3)
    output = node.execute({"input": data})["output"]
    np.testing.assert_array_equal(output, data + 2.5)
    assert not output.flags.owndata
    assert lib.live_buffers() == 1
    shard = output[1]
    del output
    gc.collect()
    assert lib.live_buffers() == 1  # the shard still views the buffer
    del shard
    gc.collect()
    assert lib.live_buffers() == 0
    node.close()


def test_deinitialize_waits_for_the_last_output(libraries):
    path = libraries["add_constant"]
    lib = counters(path)
    before = lib.live_managers()
    node = CustomNodeDriver().create(spec(path))
    assert lib.live_managers() == before + 1
    output = node.execute({"input": np.zeros((1, 2), np.float32)})["output"]
    node.close()
    assert lib.live_managers() == before + 1
    del output
    gc.collect()
    assert lib.live_managers() == before


def test_concurrent_executions_get_their_own_results(libraries):
    node = CustomNodeDriver().create(spec(libraries["add_constant"], value="1"))

    def one(i):
        data = np.full((4, 8), i, np.float32)
        return node.execute({"input": data})["output"], i

    with ThreadPoolExecutor(8) as pool:
        for output, i in pool.map(one, range(64)):
            np.testing.assert_array_equal(output, np.full((4, 8), i + 1, np.float32))
    node.close()


def _error(libraries, library, **params):
    with pytest.raises(OvmsError) as caught:
        node = CustomNodeDriver().create(spec(libraries.get(library, library), **params))
        node.execute({"input": np.zeros((1, 4), np.float32)})
    return caught.value


def test_missing_library_file(libraries):
    error = _error(libraries, "/nonexistent/libnode.so")
    assert error.code.name == "PIPELINE_DEFINITION_INVALID_NODE_LIBRARY"
    assert "Custom node library failed to open" in error.message


def test_library_without_a_symbol(libraries):
    error = _error(libraries, "no_release")
    assert error.code.name == "PIPELINE_DEFINITION_INVALID_NODE_LIBRARY"
    assert "Custom node library failed to load symbol" in error.message
    assert "symbol release not found" in error.message


def test_library_not_in_the_library_list():
    with pytest.raises(OvmsError) as caught:
        CustomNodeDriver().create(spec(None))
    assert caught.value.code.name == "NODE_LIBRARY_MISSING"


def test_initialize_failure(libraries):
    error = _error(libraries, "error", fail_initialize="1")
    assert error.code.name == "NODE_LIBRARY_INITIALIZE_FAILED"
    assert "initialize returned 5" in error.message


def test_metadata_failure(libraries):
    error = _error(libraries, "error", fail_metadata="1")
    assert error.code.name == "NODE_LIBRARY_METADATA_FAILED"
    assert "getInputsInfo returned 7" in error.message


def test_execute_error_code(libraries):
    error = _error(libraries, "error", code="42")
    assert error.code.name == "NODE_LIBRARY_EXECUTION_FAILED"
    assert error.message == "Custom node failed during execution - node: node; execute returned 42"


@pytest.mark.parametrize(
    ("mode", "code"),
    [
        ("null_outputs", "NODE_LIBRARY_OUTPUTS_CORRUPTED"),
        ("zero_count", "NODE_LIBRARY_OUTPUTS_CORRUPTED_COUNT"),
        ("no_name", "NODE_LIBRARY_OUTPUT_MISSING_NAME"),
        ("unspecified", "NODE_LIBRARY_INVALID_PRECISION"),
        ("bad_size", "NODE_LIBRARY_INVALID_CONTENT_SIZE"),
        ("null_data", "NODE_LIBRARY_INVALID_CONTENT_SIZE"),
    ],
)
def test_malformed_outputs_are_refused_and_released(libraries, mode, code):
    lib = counters(libraries["malformed"])
    error = _error(libraries, "malformed", mode=mode)
    assert error.code.name == code
    gc.collect()
    assert lib.live_buffers() == 0
