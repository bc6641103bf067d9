import base64

import numpy as np
import orjson
import pytest
from ovms_frontend_rest.tfs_codec import decode_predict, encode_predict

from ovms_core import InferResult, OutputTensor, OvmsError, TensorMetadata

ONE = [TensorMetadata("b", "FP32", [1, 10])]
IMAGE = [TensorMetadata("image", "FP32", [-1, 2, 2, 3])]
TWO = [TensorMetadata("x", "INT32", [-1, 2]), TensorMetadata("y", "FP32", [-1])]
ROW = list(range(10))


def decode(document, inputs=ONE):
    body = document if isinstance(document, bytes) else orjson.dumps(document)
    return decode_predict(body, inputs)


def error(document, inputs=ONE):
    with pytest.raises(OvmsError) as caught:
        decode(document, inputs)
    return caught.value


def only(decoded):
    [item] = decoded.inputs
    return item


# -- the format matrix: row/column x named/no-name x numbers/b64, exact values ---------------


@pytest.mark.parametrize(
    ("document", "row"),
    [
        ({"instances": [{"b": ROW}]}, True),
        ({"instances": [ROW]}, True),
        ({"inputs": {"b": [ROW]}}, False),
        ({"inputs": [ROW]}, False),
        ({"signature_name": "serving_default", "inputs": [ROW]}, False),
    ],
    ids=["row-named", "row-noname", "column-named", "column-noname", "signature-ignored"],
)
def test_numbers_take_the_model_precision(document, row):
    decoded = decode(document)
    item = only(decoded)
    assert decoded.row is row
    assert (item.name, item.datatype, tuple(item.shape), item.label) == ("b", "FP32", (1, 10), "")
    assert item.values.dtype == np.float32
    np.testing.assert_array_equal(item.values, np.arange(10, dtype=np.float32).reshape(1, 10))


JPEG_ISH = bytes(range(256)) * 3
B64 = {"b64": base64.b64encode(JPEG_ISH).decode()}
B64_2 = {"b64": base64.b64encode(b"\x00second\xff").decode()}


@pytest.mark.parametrize(
    "document",
    [
        {"instances": [{"image": B64}, {"image": B64_2}]},
        {"instances": [B64, B64_2]},
        {"inputs": {"image": [B64, B64_2]}},
        {"inputs": [B64, B64_2]},
    ],
    ids=["row-named", "row-noname", "column-named", "column-noname"],
)
def test_b64_values_become_bytes_tensors(document):
    item = only(decode(document, IMAGE))
    assert (item.name, item.datatype, tuple(item.shape), item.label) == (
        "image",
        "BYTES",
        (2,),
        "DT_STRING",
    )
    assert list(item.values) == [JPEG_ISH, b"\x00second\xff"]


def test_strings_are_bytes_for_string_and_u8_inputs():
    strings = [TensorMetadata("s", "BYTES", [-1])]
    item = only(decode({"inputs": {"s": ["zażółć", "b"]}}, strings))
    assert list(item.values) == ["zażółć".encode(), b"b"]
    item = only(decode({"instances": ["a", "b"]}, [TensorMetadata("s", "UINT8", [-1, -1])]))
    assert (item.datatype, list(item.values)) == ("BYTES", [b"a", b"b"])


def test_row_named_stacks_instances_per_input():
    decoded = decode(
        {"instances": [{"x": [1, 2], "y": 0.5}, {"x": [3, 4], "y": 1.5}, {"x": [5, 6], "y": 2}]},
        TWO,
    )
    x, y = decoded.inputs
    np.testing.assert_array_equal(x.values, np.array([[1, 2], [3, 4], [5, 6]], np.int32))
    np.testing.assert_array_equal(y.values, np.array([0.5, 1.5, 2.0], np.float32))
    assert (x.values.dtype, y.values.dtype) == (np.int32, np.float32)


def test_floats_sent_to_an_integer_input_are_truncated():
    x = decode({"inputs": {"x": [[1.7, -2.9]], "y": [1]}}, TWO).inputs[0]
    np.testing.assert_array_equal(x.values, [[1, -2]])


def test_booleans_only_for_bool_inputs():
    item = only(decode({"inputs": [[True, False]]}, [TensorMetadata("f", "BOOL", [1, 2])]))
    np.testing.assert_array_equal(item.values, [[True, False]])
    assert error({"inputs": [[True, False]]}).code.name == "REST_COULD_NOT_PARSE_INPUT"


def test_bare_number_is_a_scalar():
    y = decode({"inputs": {"x": [[1, 2]], "y": 7}}, TWO).inputs[1]
    assert (tuple(y.shape), float(y.values)) == ((), 7.0)


def test_inputs_the_model_lacks_are_dropped_but_special_inputs_kept():
    decoded = decode({"inputs": {"b": [ROW], "extra": [1, 2], "sequence_id": [2**63 + 5]}})
    names = [(i.name, i.datatype) for i in decoded.inputs]
    assert names == [("b", "FP32"), ("sequence_id", "UINT64")]
    assert int(decoded.inputs[1].values[0]) == 2**63 + 5


# -- malformed bodies: OVMS status codes --------------------------------------------------------


@pytest.mark.parametrize(
    ("document", "inputs", "code"),
    [
        (b'{"inputs": [1,', ONE, "JSON_INVALID"),
        (b"", ONE, "JSON_INVALID"),
        (b"[" * 2000 + b"]" * 2000, ONE, "JSON_NESTING_DEPTH_EXCEEDED"),
        ([ROW], ONE, "REST_BODY_IS_NOT_AN_OBJECT"),
        ({}, ONE, "REST_PREDICT_UNKNOWN_ORDER"),
        ({"instances": [ROW], "inputs": [ROW]}, ONE, "REST_PREDICT_UNKNOWN_ORDER"),
        ({"instances": {"b": ROW}}, ONE, "REST_INSTANCES_NOT_AN_ARRAY"),
        ({"instances": []}, ONE, "REST_NO_INSTANCES_FOUND"),
        ({"instances": [{"b": ROW}, ROW]}, ONE, "REST_NAMED_INSTANCE_NOT_AN_OBJECT"),
        ({"instances": [None]}, ONE, "REST_INSTANCES_NOT_NAMED_OR_NONAMED"),
        ({"instances": [True]}, ONE, "REST_INSTANCES_NOT_NAMED_OR_NONAMED"),
        ({"instances": [{"b": ROW}, {"b": ROW[:9]}]}, ONE, "REST_COULD_NOT_PARSE_INSTANCE"),
        (
            {"instances": [{"x": [1, 2], "y": 1}, {"x": [1, 2]}]},
            TWO,
            "REST_INSTANCES_BATCH_SIZE_DIFFER",
        ),
        ({"instances": [[1, 2]]}, TWO, "INVALID_INPUT_FORMAT"),
        ({"inputs": "abc"}, ONE, "REST_INPUTS_NOT_AN_OBJECT"),
        ({"inputs": None}, ONE, "REST_INPUTS_NOT_AN_OBJECT"),
        ({"inputs": {}}, ONE, "REST_NO_INPUTS_FOUND"),
        ({"inputs": [[1, 2]]}, TWO, "INVALID_INPUT_FORMAT"),
        ({"inputs": {"b": [[1, 2], [3]]}}, ONE, "REST_COULD_NOT_PARSE_INPUT"),
        ({"inputs": {"b": [[1, "2"]]}}, ONE, "REST_COULD_NOT_PARSE_INPUT"),
        ({"inputs": {"b": [["1", 2]]}}, ONE, "REST_COULD_NOT_PARSE_INPUT"),
        ({"inputs": {"b": [[True, False]]}}, ONE, "REST_COULD_NOT_PARSE_INPUT"),
        ({"inputs": {"b": [[None]]}}, ONE, "REST_COULD_NOT_PARSE_INPUT"),
        ({"inputs": {"b": [[{"a": 1}]]}}, ONE, "REST_COULD_NOT_PARSE_INPUT"),
        ({"inputs": {"b": [["text"]]}}, ONE, "REST_COULD_NOT_PARSE_INPUT"),
        (b'{"inputs": {"b": [[1e400]]}}', ONE, "JSON_INVALID"),
        ({"inputs": {"image": [{"b64": "@@not base64@@"}]}}, IMAGE, "REST_COULD_NOT_PARSE_INPUT"),
        ({"inputs": {"image": [B64, [B64]]}}, IMAGE, "REST_COULD_NOT_PARSE_INPUT"),
        ({"inputs": {"image": [B64, 1]}}, IMAGE, "REST_COULD_NOT_PARSE_INPUT"),
        ({"inputs": {"image": [{"b64": "AA==", "x": 1}]}}, IMAGE, "REST_COULD_NOT_PARSE_INPUT"),
        (
            {"inputs": {"x": [[-1, 2]], "y": [1]}},
            [TensorMetadata("x", "UINT8", [1, 2])],
            "REST_COULD_NOT_PARSE_INPUT",
        ),
        ({"inputs": {"extra": [[1], [2, 3]]}}, ONE, "REST_COULD_NOT_PARSE_INPUT"),
    ],
)
def test_malformed_bodies(document, inputs, code):
    assert error(document, inputs).code.name == code


@pytest.mark.parametrize("leaf", [b"1", b'"text"', b'{"b64": "AA=="}'])
def test_deep_nesting_is_a_parse_error(leaf):
    body = b'{"inputs": {"b": ' + b"[" * 1000 + leaf + b"]" * 1000 + b"}}"
    assert error(body).code.name == "REST_COULD_NOT_PARSE_INPUT"


def test_invalid_json_names_the_position():
    assert error(b'{"inputs": [1,').message.startswith("The file is not valid json - Error: ")
    assert error(b'{"inputs": [1,').message.endswith("Offset: 14")


# -- responses ----------------------------------------------------------------------------------


def result(*outputs):
    return InferResult("m", 1, "", [OutputTensor(*o) for o in outputs], lambda: None)


def test_one_output_column_and_row():
    data = np.array([[5.0, 10.0, -3.0, 2.5], [9.0, 55.5, -0.5, -1.5]], np.float32)
    column = orjson.loads(encode_predict(result(("out", "FP32", data)), row=False))
    assert column == {"outputs": [[5.0, 10.0, -3.0, 2.5], [9.0, 55.5, -0.5, -1.5]]}
    row = orjson.loads(encode_predict(result(("out", "FP32", data)), row=True))
    assert row == {"predictions": [[5.0, 10.0, -3.0, 2.5], [9.0, 55.5, -0.5, -1.5]]}


def test_floats_keep_a_decimal_point():
    body = encode_predict(result(("a", "FP32", np.array([[1, 2]], np.float32))), row=False)
    assert body == b'{"outputs":[[1.0,2.0]]}'


def test_several_outputs_by_name_and_per_row():
    first = np.array([[[5.0, 10.0, -3.0, 2.5]], [[9.0, 55.5, -0.5, -1.5]]], np.float32)
    second = np.array([[5, 2, 3, 8, -2], [1, 2, 3, 4, 5]], np.int64)
    outputs = (("output1", "FP32", first), ("output2", "INT64", second))
    assert orjson.loads(encode_predict(result(*outputs), row=True)) == {
        "predictions": [
            {"output1": [[5.0, 10.0, -3.0, 2.5]], "output2": [5, 2, 3, 8, -2]},
            {"output1": [[9.0, 55.5, -0.5, -1.5]], "output2": [1, 2, 3, 4, 5]},
        ]
    }
    assert orjson.loads(encode_predict(result(*outputs), row=False)) == {
        "outputs": {"output1": first.tolist(), "output2": second.tolist()}
    }


def test_rows_need_one_batch_size():
    outputs = (("a", "FP32", np.zeros((2, 1), np.float32)), ("b", "FP32", np.zeros((3,))))
    with pytest.raises(OvmsError) as caught:
        encode_predict(result(*outputs), row=True)
    assert caught.value.code.name == "REST_PROTO_TO_STRING_ERROR"


def test_string_outputs_and_the_bytes_suffix():
    strings = np.empty(2, dtype=object)
    strings[:] = [b"cat", b"\xff\x00"]
    body = encode_predict(
        result(("label", "BYTES", strings), ("raw_bytes", "BYTES", strings)), row=False
    )
    assert orjson.loads(body) == {
        "outputs": {"label": ["cat", "\ufffd\x00"], "raw_bytes": [{"b64": "Y2F0"}, {"b64": "/wA="}]}
    }


def test_other_precisions():
    half = np.array([[0.5, -2.0]], np.float16)
    bf16 = np.array([0x3FC0], np.uint16)  # 1.5
    flags = np.array([True, False])
    scalar = np.array(3, np.int32)
    body = encode_predict(
        result(
            ("h", "FP16", half), ("bf", "BF16", bf16), ("f", "BOOL", flags), ("s", "INT32", scalar)
        ),
        row=False,
    )
    assert orjson.loads(body) == {
        "outputs": {"h": [[0.5, -2.0]], "bf": [1.5], "f": [True, False], "s": 3}
    }


def test_the_sequence_id_is_one_more_output():
    outputs = [OutputTensor("sum", "FP32", np.array([[1.5, 2.5]], np.float32))]
    result = InferResult("m", 1, "", outputs, lambda: None, {"sequence_id": 2**64 - 1})
    assert orjson.loads(encode_predict(result, row=False)) == {
        "outputs": {"sum": [[1.5, 2.5]], "sequence_id": [2**64 - 1]}
    }
    assert orjson.loads(encode_predict(result, row=True)) == {
        "predictions": [{"sum": [1.5, 2.5], "sequence_id": 2**64 - 1}]
    }


_INTEGER_LIMITS = {
    name: (int(np.iinfo(dtype).min), int(np.iinfo(dtype).max))
    for name, dtype in (
        ("INT8", np.int8),
        ("INT16", np.int16),
        ("INT32", np.int32),
        ("INT64", np.int64),
        ("UINT8", np.uint8),
        ("UINT16", np.uint16),
        ("UINT32", np.uint32),
    )
}


@pytest.mark.parametrize("datatype", sorted(_INTEGER_LIMITS))
def test_integers_at_the_limits_are_kept_and_beyond_them_refused(datatype):
    low, high = _INTEGER_LIMITS[datatype]
    inputs = [TensorMetadata("x", datatype, [-1])]
    assert only(decode({"inputs": {"x": [low, high]}}, inputs)).values.tolist() == [low, high]
    for value in (low - 1, high + 1):
        if value >= -(2**63):
            assert error({"inputs": {"x": [value]}}, inputs).code.http_status == 400
