"""Encoded images sent as BYTES to 4-D numeric model inputs, through the kernel's pass (SPEC 12)."""

import asyncio

import cv2
import numpy as np
import pytest

from ovms_core import InferInput, InferRequest, OvmsError, StatusCode, TensorInfo, by_kserve_name
from ovms_core.config.shapes import Dim
from ovms_core.servables.conversion import convert_inputs


def _model(dims, datatype="FP32", layout="", batch_index=0):
    parsed = tuple(Dim(*d) if isinstance(d, tuple) else Dim(d, d) for d in dims)
    return {"image": TensorInfo("image", 0, by_kserve_name(datatype), parsed, batch_index, layout)}


def _bytes_input(*items, shape=None, label=""):
    values = np.empty(len(items), dtype=object)
    values[:] = list(items)
    return InferInput("image", "BYTES", list(shape or [len(items)]), values=values, label=label)


def _convert(model, item):
    converted = asyncio.run(convert_inputs(InferRequest("m", None, [item]), model))
    return converted.inputs[0].values


def _error(model, item):
    with pytest.raises(OvmsError) as caught:
        _convert(model, item)
    return caught.value.code, caught.value.message


def _png(pixels):
    ok, data = cv2.imencode(".png", pixels)
    assert ok
    return data.tobytes()


RNG = np.random.default_rng(7)
BGR = RNG.integers(0, 256, (6, 8, 3), dtype=np.uint8)


def test_png_becomes_the_exact_bgr_tensor_in_model_precision():
    values = _convert(_model((1, 6, 8, 3)), _bytes_input(_png(BGR)))
    assert values.dtype == np.float32
    np.testing.assert_array_equal(values, BGR[np.newaxis].astype(np.float32))


def test_batch_grayscale_and_16_bit():
    gray = RNG.integers(0, 256, (6, 8), dtype=np.uint8)
    values = _convert(_model((2, 6, 8, 1), "UINT8"), _bytes_input(_png(gray), _png(gray)))
    np.testing.assert_array_equal(values, np.stack([gray, gray])[..., np.newaxis])
    deep = RNG.integers(0, 65536, (6, 8), dtype=np.uint16)
    values = _convert(_model((1, 6, 8, 1), "INT32"), _bytes_input(_png(deep)))
    np.testing.assert_array_equal(values[0, :, :, 0], deep.astype(np.int32))
    saturated = _convert(_model((1, 6, 8, 1), "UINT8"), _bytes_input(_png(deep)))
    np.testing.assert_array_equal(saturated[0, :, :, 0], np.minimum(deep, 255))


def test_resize_follows_opencv_bilinear():
    big = RNG.integers(0, 256, (12, 16, 3), dtype=np.uint8)
    values = _convert(_model((1, 6, 8, 3)), _bytes_input(_png(big)))
    blocks = big.astype(np.float32).reshape(6, 2, 8, 2, 3).mean(axis=(1, 3))
    np.testing.assert_allclose(values[0], blocks, atol=1e-4)


def test_ranged_dimensions_clamp_and_any_dimensions_take_the_image_size():
    values = _convert(_model((1, (7, 20), (2, 4), 3)), _bytes_input(_png(BGR)))
    assert values.shape == (1, 7, 4, 3)
    values = _convert(_model((1, -1, -1, 3)), _bytes_input(_png(BGR)))
    assert values.shape == (1, 6, 8, 3)


def test_no_resize_with_any_dimension():
    other = RNG.integers(0, 256, (5, 8, 3), dtype=np.uint8)
    code, _ = _error(_model((2, -1, 8, 3)), _bytes_input(_png(BGR), _png(other)))
    assert code is StatusCode.BINARY_IMAGES_RESOLUTION_MISMATCH
    code, _ = _error(_model((-1, 5, 8, 3)), _bytes_input(_png(BGR)))
    assert code is StatusCode.INVALID_SHAPE


def test_layouts():
    nhwc = _convert(_model((1, 6, 8, 3), layout="N...C"), _bytes_input(_png(BGR)))
    assert nhwc.shape == (1, 6, 8, 3)
    code, _ = _error(_model((1, 3, 6, 8), layout="NCHW"), _bytes_input(_png(BGR)))
    assert code is StatusCode.UNSUPPORTED_LAYOUT
    code, _ = _error(_model((1, 3, 5, 8), layout="N..."), _bytes_input(_png(BGR)))
    assert code is StatusCode.INVALID_NO_OF_CHANNELS


def test_request_errors():
    model = _model((1, 6, 8, 3))
    assert _error(model, _bytes_input(b"not an image")) == (
        StatusCode.IMAGE_PARSING_FAILED,
        "Image parsing failed - not an image in a known format; image 0; input name: image",
    )
    assert _error(model, _bytes_input(_png(BGR), _png(BGR))) == (
        StatusCode.INVALID_BATCH_SIZE,
        "Invalid input batch size - Expected: 1; Actual: 2; input name: image",
    )
    assert _error(model, _bytes_input(_png(BGR[:, :, 0])))[0] is StatusCode.INVALID_NO_OF_CHANNELS
    assert _error(model, _bytes_input(b""))[0] is StatusCode.BYTES_CONTENTS_EMPTY
    assert _error(model, _bytes_input(b"", label="DT_STRING"))[0] is StatusCode.STRING_VAL_EMPTY
    code, message = _error(model, _bytes_input(_png(BGR), shape=[1, 1]))
    assert code is StatusCode.INVALID_NO_OF_SHAPE_DIMENSIONS
    assert "Expected number of binary input shape dimensions: 1; Actual: 2" in message
    assert _error(model, _bytes_input(_png(BGR), shape=[2]))[0] is StatusCode.INVALID_BATCH_SIZE
    assert _error(_model((1, 6, 8, 3), "INT64"), _bytes_input(_png(BGR)))[0] is (
        StatusCode.INVALID_PRECISION
    )


def test_bytes_for_other_inputs_are_left_to_validation():
    item = _bytes_input(b"abc")
    for model in (_model((1, 6, 8)), _model((-1,), "BYTES"), _model((1, 6, 8, 3), "BYTES")):
        converted = asyncio.run(convert_inputs(InferRequest("m", None, [item]), model))
        assert converted.inputs[0] is item
