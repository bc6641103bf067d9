import numpy as np
import pytest

from ovms_core import InferInput, InferRequest, OvmsError
from ovms_core.base.datatypes import by_kserve_name
from ovms_core.config.shapes import Dim
from ovms_core.execution.tensor_info import TensorInfo
from ovms_core.models.loader import LoadedModel
from ovms_core.servables.validation import prepare_inputs, select_outputs


def _model(dims=((1, 1), (10, 10)), datatype="FP32"):
    info = TensorInfo("b", 0, by_kserve_name(datatype), tuple(Dim(*d) for d in dims), 0)
    out = TensorInfo("a", 0, by_kserve_name(datatype), tuple(Dim(*d) for d in dims), 0)
    return LoadedModel(compiled=None, inputs={"b": info}, outputs={"a": out}, nireq=1)


def _request(*inputs, prefix="input name: "):
    return InferRequest("m", None, list(inputs), input_name_prefix=prefix)


def _raw(shape, dtype=np.float32, name="b", datatype="FP32", count=None):
    n = int(np.prod(shape)) if count is None else count
    return InferInput(name, datatype, list(shape), raw=np.zeros(n, dtype).tobytes())


def _error(request, model=None):
    with pytest.raises(OvmsError) as caught:
        prepare_inputs(request, model or _model())
    return caught.value.message


def test_valid_raw_input_is_a_writable_view():
    data = np.arange(10, dtype=np.float32).tobytes()
    request = _request(InferInput("b", "FP32", [1, 10], raw=data))
    [(index, array)] = prepare_inputs(request, _model())
    assert index == 0
    assert array.flags.writeable
    assert np.shares_memory(array, np.frombuffer(data, np.float32))


def test_number_of_inputs():
    assert _error(_request()) == "Invalid number of inputs - Expected: 1; Actual: 0"


def test_missing_input():
    message = _error(_request(_raw([1, 10], name="x")))
    assert message == "Missing input with specific name - Required input: b"


def test_precision_message_kserve_doubles_the_prefix():
    request = _request(_raw([1, 10], np.int32, datatype="INT32"), prefix="input name: input name: ")
    assert _error(request) == (
        "Invalid input precision - Expected: FP32; Actual: INT32; input name: input name: b"
    )


def test_rank_mismatch():
    assert _error(_request(_raw([10]))) == (
        "Invalid number of shape dimensions - Expected: (1,10); Actual: (10); input name: b"
    )


def test_batch_mismatch():
    assert _error(_request(_raw([4, 10]))) == (
        "Invalid input batch size - Expected: 1; Actual: 4; input name: b"
    )


def test_shape_mismatch():
    assert _error(_request(_raw([1, 3]))) == (
        "Invalid input shape - Expected: (1,10); Actual: (1,3); input name: b"
    )


def test_content_size():
    assert _error(_request(_raw([1, 10], count=9))) == (
        "Invalid content size of tensor proto - Expected: 40 bytes; Actual: 36 bytes; input name: b"
    )


def test_value_count():
    request = _request(InferInput("b", "FP32", [1, 10], values=np.zeros(9, np.float32)))
    assert _error(request) == (
        "Invalid number of values in tensor proto container - Expected: 10 values; "
        "Actual: 9 values; input name: b"
    )


def test_dynamic_and_range_dimensions():
    model = _model(dims=((-1, -1), (2, 5)))
    for shape in ([7, 2], [1, 5]):
        prepare_inputs(_request(_raw(shape)), model)
    assert "Expected: (-1,[2~5]); Actual: (1,6)" in _error(_request(_raw([1, 6])), model)


def test_negative_dimension():
    assert "Negative" in _error(_request(InferInput("b", "FP32", [-1, 10], raw=b"")))


def test_unknown_requested_output():
    request = _request(_raw([1, 10]))
    request.outputs = ["zzz"]
    with pytest.raises(OvmsError) as caught:
        select_outputs(request, _model())
    assert caught.value.code.name == "INVALID_MISSING_OUTPUT"
