"""The input conversion pass without any converter plugin: strings, and images refused (SPEC 12)."""

import asyncio

import numpy as np
import pytest

from ovms_core import InferInput, InferRequest, OvmsError, StatusCode, TensorInfo, by_kserve_name
from ovms_core.base.status_codes import http_status
from ovms_core.cli.inventory import plugin_rows
from ovms_core.config.shapes import Dim
from ovms_core.servables.conversion import IMAGE_DISTRIBUTION, convert_inputs


def _inputs(dims, datatype="FP32", name="image"):
    parsed = tuple(Dim(*d) if isinstance(d, tuple) else Dim(d, d) for d in dims)
    return {name: TensorInfo(name, 0, by_kserve_name(datatype), parsed, 0, "")}


def _bytes_input(*items, name="image"):
    values = np.empty(len(items), dtype=object)
    values[:] = list(items)
    return InferInput(name, "BYTES", [len(items)], values=values)


def _convert(inputs, item, prefix="input name: "):
    request = InferRequest("m", None, [item], input_name_prefix=prefix)
    return asyncio.run(convert_inputs(request, inputs))


def _error(inputs, item):
    with pytest.raises(OvmsError) as caught:
        _convert(inputs, item)
    return caught.value.code, caught.value.message


def test_no_image_converter_installed():
    assert not [row for row in plugin_rows() if row[0] == "ovms.converters"]


def test_images_without_the_image_distribution_are_a_client_error_naming_it():
    png = b"\x89PNG\r\n\x1a\n" + bytes(32)
    code, message = _error(_inputs((1, 6, 8, 3)), _bytes_input(png))
    assert code is StatusCode.INVALID_PRECISION
    assert (http_status(code), code.grpc_code) == (400, "INVALID_ARGUMENT")
    assert f"pip install {IMAGE_DISTRIBUTION}" in message
    assert message.endswith("; input name: image")


def test_strings_into_a_2d_u8_input():
    values = _convert(_inputs((-1, -1), "UINT8"), _bytes_input(b"ab", b"", b"xyz")).inputs[0]
    assert (values.datatype, tuple(values.shape)) == ("UINT8", (3, 4))
    np.testing.assert_array_equal(values.values, [[97, 98, 0, 0], [0, 0, 0, 0], [120, 121, 122, 0]])
    code, message = _error(_inputs((2, 3), "UINT8"), _bytes_input(b"ab", b"xyz"))
    assert code is StatusCode.INVALID_SHAPE
    assert message.endswith(
        "Expected batch size: 2; got: 2; Expected max null terminated string length: 3; got: 4; "
        "input name: image"
    )
    code, _ = _error(_inputs((3, -1), "UINT8"), _bytes_input(b"ab", b"xyz"))
    assert code is StatusCode.INVALID_BATCH_SIZE


def test_elements_must_match_a_1d_shape():
    item = InferInput("image", "BYTES", [1, 1], values=np.array([[b"ab"]], dtype=object))
    code, message = _error(_inputs((-1, -1), "UINT8"), item)
    assert code is StatusCode.INVALID_NO_OF_SHAPE_DIMENSIONS
    assert "Expected number of binary input shape dimensions: 1; Actual: 2" in message
    item = InferInput("image", "BYTES", [2], values=np.array([b"ab"], dtype=object))
    assert _error(_inputs((-1, -1), "UINT8"), item)[0] is StatusCode.INVALID_BATCH_SIZE


def test_aliases_and_the_pipeline_prefix_name_the_input():
    inputs = {
        "x": TensorInfo(
            "x", 0, by_kserve_name("UINT8"), (Dim(2, 2), Dim(-1, -1)), 0, "", frozenset({"alias"})
        )
    }
    with pytest.raises(OvmsError) as caught:
        _convert(inputs, _bytes_input(b"a", name="alias"), prefix="node: ")
    assert caught.value.message.endswith("; node: x")


def test_requests_without_bytes_to_convert_are_left_alone():
    request = InferRequest("m", None, [InferInput("image", "FP32", [1], raw=bytes(4))])
    assert asyncio.run(convert_inputs(request, _inputs((1, 6, 8, 3)))) is request
    for inputs in (_inputs((1, 6, 8)), _inputs((-1,), "BYTES"), _inputs((1, 6, 8, 3), "BYTES")):
        item = _bytes_input(b"abc")
        assert _convert(inputs, item).inputs[0] is item
