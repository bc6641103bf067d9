import struct

import numpy as np
import orjson
import pytest
from ovms_frontend_rest import RestFrontend
from ovms_frontend_rest.kserve_codec import (
    decode_infer_request,
    encode_infer_result,
    header_length,
)
from ovms_testing.contracts import FrontendContract

from ovms_core import InferResult, OutputTensor, OvmsError
from ovms_core.plugins.drivers import DriverLoader


class TestRestFrontend(FrontendContract):
    @pytest.fixture
    def frontend(self):
        return RestFrontend()


def test_registered_as_rest_frontend():
    assert isinstance(DriverLoader().get("frontend", "rest"), RestFrontend)


def _body(document, tail=b""):
    head = orjson.dumps(document)
    return head + tail, len(head)


def test_binary_input_is_a_view_of_the_body():
    data = np.arange(4, dtype=np.float32)
    body, length = _body(
        {"inputs": [{"name": "x", "shape": [1, 4], "datatype": "FP32"}]}, data.tobytes()
    )
    decoded = decode_infer_request(body, length, "m", None)
    item = decoded.request.inputs[0]
    assert bytes(item.raw) == data.tobytes()
    assert item.raw.obj is body


def test_json_values_are_flattened():
    body, _ = _body(
        {"inputs": [{"name": "x", "shape": [2, 2], "datatype": "INT32", "data": [[1, 2], [3, 4]]}]}
    )
    decoded = decode_infer_request(body, None, "m", 3)
    assert decoded.request.model_version == 3
    np.testing.assert_array_equal(decoded.request.inputs[0].values, [1, 2, 3, 4])


@pytest.mark.parametrize(
    ("document", "code"),
    [
        ([1, 2], "REST_BODY_IS_NOT_AN_OBJECT"),
        ({"inputs": []}, "REST_NO_INPUTS_FOUND"),
        (
            {"inputs": [{"name": "x", "shape": [-1], "datatype": "FP32"}]},
            "REST_COULD_NOT_PARSE_INPUT",
        ),
        (
            {"inputs": [{"name": "x", "shape": [1], "datatype": "FP99"}]},
            "REST_UNSUPPORTED_PRECISION",
        ),
        (
            {"inputs": [{"name": "x", "shape": [1], "datatype": "INT32", "data": [1.5]}]},
            "REST_COULD_NOT_PARSE_INPUT",
        ),
        (
            {"inputs": [{"name": "x", "shape": [1], "datatype": "FP16", "data": [1.5]}]},
            "REST_COULD_NOT_PARSE_INPUT",
        ),
        (
            {
                "inputs": [
                    {
                        "name": "x",
                        "shape": [1],
                        "datatype": "FP32",
                        "data": [1.0],
                        "parameters": {"binary_data_size": 4},
                    }
                ]
            },
            "REST_CONTENTS_FIELD_NOT_EMPTY",
        ),
        (
            {"inputs": [{"name": "x", "shape": [4], "datatype": "FP32"}]},
            "REST_BINARY_BUFFER_EXCEEDED",
        ),
        (
            {
                "inputs": [{"name": "x", "shape": [1], "datatype": "FP32", "data": [1]}],
                "parameters": {"a": [1]},
            },
            "REST_COULD_NOT_PARSE_PARAMETERS",
        ),
    ],
)
def test_malformed_requests(document, code):
    body, length = _body(document)
    with pytest.raises(OvmsError) as caught:
        decode_infer_request(body, length, "m", None)
    assert caught.value.code.name == code


def test_truncated_json_is_invalid_json():
    with pytest.raises(OvmsError) as caught:
        decode_infer_request(b'{"inputs": [', None, "m", None)
    assert caught.value.code.name == "JSON_INVALID"


@pytest.mark.parametrize(
    ("value", "code"),
    [
        ("abc", "REST_INFERENCE_HEADER_CONTENT_LENGTH_INVALID"),
        ("-1", "REST_INFERENCE_HEADER_CONTENT_LENGTH_INVALID"),
        ("99", "REST_INFERENCE_HEADER_CONTENT_LENGTH_EXCEEDED"),
    ],
)
def test_header_length_errors(value, code):
    with pytest.raises(OvmsError) as caught:
        header_length(value, 10)
    assert caught.value.code.name == code


def test_bytes_input_splits_length_prefixed_elements():
    tail = struct.pack("<I", 3) + b"abc" + struct.pack("<I", 1) + b"z"
    body, length = _body(
        {
            "inputs": [
                {
                    "name": "s",
                    "shape": [2],
                    "datatype": "BYTES",
                    "parameters": {"binary_data_size": len(tail)},
                }
            ]
        },
        tail,
    )
    decoded = decode_infer_request(body, length, "m", None)
    assert list(decoded.request.inputs[0].values) == [b"abc", b"z"]


def test_bytes_walk_must_end_at_the_buffer_end():
    tail = struct.pack("<I", 9) + b"abc"
    body, length = _body(
        {
            "inputs": [
                {
                    "name": "s",
                    "shape": [1],
                    "datatype": "BYTES",
                    "parameters": {"binary_data_size": 7},
                }
            ]
        },
        tail,
    )
    with pytest.raises(OvmsError) as caught:
        decode_infer_request(body, length, "m", None)
    assert caught.value.code.name == "INVALID_INPUT_FORMAT"


def test_requested_binary_output_goes_after_the_json():
    body, length = _body(
        {
            "inputs": [{"name": "x", "shape": [1], "datatype": "FP32", "data": [1.0]}],
            "outputs": [{"name": "y", "parameters": {"binary_data": True}}],
        }
    )
    decoded = decode_infer_request(body, length, "m", None)
    assert decoded.request.outputs == ["y"]
    out = np.array([[1.5, 2.5]], dtype=np.float32)
    released = []
    result = InferResult("m", 1, "", [OutputTensor("y", "FP32", out)], lambda: released.append(1))
    payload, json_length = encode_infer_result(result, decoded)
    head = orjson.loads(payload[:json_length])
    assert head["outputs"][0]["parameters"] == {"binary_data_size": 8}
    assert payload[json_length:] == out.tobytes()


def test_unsigned_json_values_and_negative_ones():
    body, _ = _body(
        {"inputs": [{"name": "x", "shape": [2], "datatype": "UINT64", "data": [7, 2**40]}]}
    )
    values = decode_infer_request(body, None, "m", None).request.inputs[0].values
    assert values.dtype == np.uint64
    assert values.tolist() == [7, 2**40]
    body, _ = _body({"inputs": [{"name": "x", "shape": [1], "datatype": "UINT32", "data": [-1]}]})
    with pytest.raises(OvmsError) as caught:
        decode_infer_request(body, None, "m", None)
    assert caught.value.code.name == "REST_COULD_NOT_PARSE_INPUT"


_LIMITS = {
    name: (int(np.iinfo(name.lower()).min), int(np.iinfo(name.lower()).max))
    for name in ("INT8", "INT16", "INT32", "INT64", "UINT8", "UINT16", "UINT32", "UINT64")
}


@pytest.mark.parametrize("datatype", sorted(_LIMITS))
def test_json_integers_at_the_limits_are_kept(datatype):
    low, high = _LIMITS[datatype]
    body, _ = _body(
        {"inputs": [{"name": "x", "shape": [2], "datatype": datatype, "data": [low, high]}]}
    )
    values = decode_infer_request(body, None, "m", None).request.inputs[0].values
    assert values.tolist() == [low, high]


@pytest.mark.parametrize(
    ("datatype", "value"),
    [
        (name, value)
        for name, (low, high) in sorted(_LIMITS.items())
        for value in (low - 1, high + 1)
        if -(2**63) <= value < 2**64
    ],
)
def test_json_integers_out_of_range_are_refused(datatype, value):
    body, _ = _body(
        {"inputs": [{"name": "x", "shape": [1], "datatype": datatype, "data": [value]}]}
    )
    with pytest.raises(OvmsError) as caught:
        decode_infer_request(body, None, "m", None)
    assert caught.value.code.name == "REST_COULD_NOT_PARSE_INPUT"
    assert caught.value.code.http_status == 400


def test_json_bytes_elements_as_strings_or_base64():
    inputs = [{"name": "x", "shape": [2], "datatype": "BYTES", "data": ["héllo", {"b64": "/wA="}]}]
    body, _ = _body({"inputs": inputs})
    values = decode_infer_request(body, None, "m", None).request.inputs[0].values
    assert values.tolist() == ["héllo".encode(), b"\xff\x00"]
    for bad, code in (
        ({"b64": "%%"}, "REST_BASE64_DECODE_ERROR"),
        (3, "REST_COULD_NOT_PARSE_INPUT"),
    ):
        body, _ = _body(
            {"inputs": [{"name": "x", "shape": [1], "datatype": "BYTES", "data": [bad]}]}
        )
        with pytest.raises(OvmsError) as caught:
            decode_infer_request(body, None, "m", None)
        assert caught.value.code.name == code


def test_result_parameters_become_response_parameters():
    body, _ = _body({"inputs": [{"name": "x", "shape": [1], "datatype": "FP32", "data": [1.0]}]})
    decoded = decode_infer_request(body, None, "m", None)
    out = [OutputTensor("y", "FP32", np.array([2.0], np.float32))]
    result = InferResult("m", 1, "", out, lambda: None, {"sequence_id": 12})
    document = orjson.loads(encode_infer_result(result, decoded)[0])
    assert document["parameters"] == {"sequence_id": 12}
    assert list(document) == ["model_name", "model_version", "parameters", "outputs"]


def test_bf16_json_output_has_the_float_values():
    from ovms_frontend_rest.kserve_codec import bf16_to_float32

    values = np.array([1.5, -2.0, 3.25], dtype=np.float32)
    words = (values.view(np.uint32) >> 16).astype(np.uint16).view(np.float16)
    np.testing.assert_array_equal(bf16_to_float32(words), values)
