"""Check that our generated stubs and real clients' stubs agree on the wire.

Run it with the Python of a virtualenv that has grpcio and tritonclient[grpc] and/or ovmsclient;
it checks every client it finds and fails when it finds none:

    /tmp/venv/bin/python plugins/frontends/grpc/tools/check_client_wire_compat.py

Each case message is built from the same JSON by our stubs and by the client's stubs. Each side
serializes it and parses the other side's bytes; the values read must equal the values built.
Every side runs in its own process: two stubs that define package ``inference`` cannot be
imported into one process.
"""

from __future__ import annotations

import argparse
import base64
import importlib
import importlib.util
import json
import subprocess
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from google.protobuf.message import Message

PLUGIN_DIR = Path(__file__).resolve().parent.parent
SIGNATURE_DEF_MAP_URL = "type.googleapis.com/tensorflow.serving.SignatureDefMap"


def b64(data: bytes) -> str:
    """Encode bytes the way protobuf's JSON mapping does."""
    return base64.b64encode(data).decode()


def dims(*sizes: int) -> dict[str, Any]:
    """Build a TensorShapeProto in JSON form."""
    return {"dim": [{"size": str(size)} for size in sizes]}


# Wire checks only: the values exercise every field kind, not a meaningful request.
KSERVE_CASES: dict[str, dict[str, Any]] = {
    "ModelInferRequest": {
        "model_name": "resnet",
        "model_version": "2",
        "id": "req-1",
        "parameters": {
            "sequence_start": {"bool_param": True},
            "sequence_id": {"int64_param": "-7"},
            "priority_name": {"string_param": "high"},
            "scale": {"double_param": 0.25},
            "big": {"uint64_param": "18446744073709551615"},
        },
        "inputs": [
            {
                "name": "input0",
                "datatype": "FP32",
                "shape": ["1", "2"],
                "parameters": {"binary_data_size": {"int64_param": "8"}},
                "contents": {"fp32_contents": [1.5, -2.0]},
            },
            {
                "name": "input1",
                "datatype": "BYTES",
                "shape": ["2"],
                "contents": {"bytes_contents": [b64(b"ab"), b64(b"\xff\x00")]},
            },
            {
                "name": "input2",
                "datatype": "INT64",
                "shape": ["2"],
                "contents": {"int64_contents": ["-1", "9007199254740993"]},
            },
            {"name": "raw", "datatype": "UINT8", "shape": ["3"]},
        ],
        "outputs": [{"name": "output0", "parameters": {"binary_data": {"bool_param": True}}}],
        "raw_input_contents": [b64(b"\x01\x02\x03")],
    },
    "ModelInferResponse": {
        "model_name": "resnet",
        "model_version": "2",
        "id": "req-1",
        "parameters": {"sequence_id": {"uint64_param": "7"}},
        "outputs": [
            {
                "name": "out0",
                "datatype": "FP64",
                "shape": ["2"],
                "contents": {"fp64_contents": [0.5, -1e300]},
            },
            {
                "name": "out1",
                "datatype": "BOOL",
                "shape": ["2"],
                "contents": {"bool_contents": [True, False]},
            },
            {"name": "out2", "datatype": "INT32", "contents": {"int_contents": [-5]}},
            {"name": "out3", "datatype": "UINT32", "contents": {"uint_contents": [4294967295]}},
            {
                "name": "out4",
                "datatype": "UINT64",
                "contents": {"uint64_contents": ["18446744073709551615"]},
            },
        ],
        "raw_output_contents": [b64(b"\x00\x00\x80\x3f")],
    },
    "ModelStreamInferResponse": {
        "error_message": "model busy",
        "infer_response": {"model_name": "resnet", "id": "req-2"},
    },
}

TFS_CASES: dict[str, dict[str, Any]] = {
    "PredictRequest": {
        "model_spec": {"name": "resnet", "version": "3", "signature_name": "serving_default"},
        "inputs": {
            "images": {
                "dtype": "DT_FLOAT",
                "tensor_shape": dims(1, 2),
                "tensor_content": b64(b"\x00\x00\x80\x3f\x00\x00\x00\x40"),
            },
            "names": {"dtype": "DT_STRING", "tensor_shape": dims(2), "string_val": [b64(b"a")]},
            "ints": {"dtype": "DT_INT32", "tensor_shape": dims(2), "int_val": [1, -2]},
            "halves": {"dtype": "DT_HALF", "tensor_shape": dims(1), "half_val": [15360]},
        },
        "output_filter": ["prob"],
    },
    "PredictResponse": {
        "model_spec": {"name": "resnet", "version": "3", "signature_name": "serving_default"},
        "outputs": {
            "prob": {"dtype": "DT_FLOAT", "tensor_shape": dims(1), "float_val": [0.25]},
            "scores": {"dtype": "DT_DOUBLE", "tensor_shape": dims(1), "double_val": [-0.5]},
            "ids": {"dtype": "DT_INT64", "tensor_shape": dims(1), "int64_val": ["-9"]},
            "flags": {"dtype": "DT_BOOL", "tensor_shape": dims(1), "bool_val": [True]},
            "big": {
                "dtype": "DT_UINT64",
                "tensor_shape": dims(1),
                "uint64_val": ["18446744073709551615"],
            },
        },
    },
    "GetModelStatusResponse": {
        "model_version_status": [
            {"version": "1", "state": "AVAILABLE", "status": {"error_code": "OK"}},
            {
                "version": "2",
                "state": "LOADING",
                "status": {"error_code": "NOT_FOUND", "error_message": "missing"},
            },
        ],
    },
    "GetModelMetadataResponse": {
        "model_spec": {"name": "resnet", "version": "3"},
        "metadata": {
            "signature_def": {
                "signature_def": {
                    "serving_default": {
                        "inputs": {
                            "images": {
                                "name": "images:0",
                                "dtype": "DT_FLOAT",
                                "tensor_shape": dims(-1, 224),
                            },
                        },
                        "outputs": {
                            "prob": {
                                "name": "prob:0",
                                "dtype": "DT_FLOAT",
                                "tensor_shape": dims(-1, 1000),
                            },
                        },
                        "method_name": "tensorflow/serving/predict",
                    },
                },
            },
        },
    },
}

OURS = "ovms_frontend_grpc._generated"
OVMSCLIENT = "ovmsclient.tfs_compat.protos.tensorflow_serving.apis"
# Message classes of each side, as "module:class".
SIDES: dict[str, dict[str, str]] = {
    "ours": {
        **{name: f"{OURS}.ovms.grpc_predict_v2_pb2:{name}" for name in KSERVE_CASES},
        "PredictRequest": f"{OURS}.tensorflow_serving.apis.predict_pb2:PredictRequest",
        "PredictResponse": f"{OURS}.tensorflow_serving.apis.predict_pb2:PredictResponse",
        "GetModelStatusResponse": (
            f"{OURS}.tensorflow_serving.apis.get_model_status_pb2:GetModelStatusResponse"
        ),
        "GetModelMetadataResponse": (
            f"{OURS}.tensorflow_serving.apis.get_model_metadata_pb2:GetModelMetadataResponse"
        ),
        "SignatureDefMap": f"{OURS}.tensorflow_serving.apis.get_model_metadata_pb2:SignatureDefMap",
    },
    "tritonclient": {name: f"tritonclient.grpc.service_pb2:{name}" for name in KSERVE_CASES},
    "ovmsclient": {
        "PredictRequest": f"{OVMSCLIENT}.predict_pb2:PredictRequest",
        "PredictResponse": f"{OVMSCLIENT}.predict_pb2:PredictResponse",
        "GetModelStatusResponse": f"{OVMSCLIENT}.get_model_status_pb2:GetModelStatusResponse",
        "GetModelMetadataResponse": (
            f"{OVMSCLIENT}.get_model_metadata_pb2:GetModelMetadataResponse"
        ),
        "SignatureDefMap": f"{OVMSCLIENT}.get_model_metadata_pb2:SignatureDefMap",
    },
}
CLIENT_CASES = {"tritonclient": KSERVE_CASES, "ovmsclient": TFS_CASES}


def message_class(side: str, name: str) -> type[Message]:
    """Import one message class of a side."""
    module, _, attr = SIDES[side][name].partition(":")
    cls: type[Message] = getattr(importlib.import_module(module), attr)
    return cls


def encode(side: str, name: str, case: dict[str, Any]) -> bytes:
    """Build a case with a side's stubs and serialize it deterministically.

    Metadata values are packed as TF-Serving does, whatever the full name of the side's own
    SignatureDefMap is (ovmsclient renamed its proto packages).
    """
    from google.protobuf import json_format

    fields = dict(case)
    metadata = fields.pop("metadata", {})
    # Any: the fields come from whichever stubs the side loaded.
    message: Any = json_format.ParseDict(fields, message_class(side, name)())
    for key, value in metadata.items():
        signature_map = json_format.ParseDict(value, message_class(side, "SignatureDefMap")())
        message.metadata[key].type_url = SIGNATURE_DEF_MAP_URL
        message.metadata[key].value = signature_map.SerializeToString(deterministic=True)
    data: bytes = message.SerializeToString(deterministic=True)
    return data


def decode(side: str, name: str, data: bytes) -> dict[str, Any]:
    """Parse bytes with a side's stubs into JSON form; metadata values are unpacked."""
    from google.protobuf import json_format

    message: Any = message_class(side, name).FromString(data)
    unpacked = {}
    if name == "GetModelMetadataResponse":
        signature_map = message_class(side, "SignatureDefMap")
        for key, value in message.metadata.items():
            content = json_format.MessageToDict(
                signature_map.FromString(value.value), preserving_proto_field_name=True
            )
            unpacked[key] = {"type_url": value.type_url, "content": content}
        message.ClearField("metadata")
    result: dict[str, Any] = json_format.MessageToDict(message, preserving_proto_field_name=True)
    if unpacked:
        result["metadata"] = unpacked
    return result


def serve_side(side: str) -> None:
    """Answer the parent on stdin: encode the named cases, decode the given bytes."""
    sys.path.insert(0, str(PLUGIN_DIR))
    request = json.load(sys.stdin)
    cases = CLIENT_CASES[request["client"]]
    answer = {
        "encoded": {name: encode(side, name, cases[name]).hex() for name in request["encode"]},
        "decoded": {
            name: [decode(side, name, bytes.fromhex(data)) for data in datas]
            for name, datas in request["decode"].items()
        },
    }
    json.dump(answer, sys.stdout)


def ask_side(
    side: str, client: str, encode: list[str], decode: dict[str, list[str]]
) -> dict[str, Any]:
    """Run one side in a fresh process of this interpreter and return its answer."""
    request = json.dumps({"client": client, "encode": encode, "decode": decode})
    done = subprocess.run(
        [sys.executable, __file__, "--side", side],
        input=request,
        capture_output=True,
        text=True,
        check=False,
    )
    if done.returncode != 0:
        raise RuntimeError(f"{side} side failed:\n{done.stderr}")
    answer: dict[str, Any] = json.loads(done.stdout)
    return answer


def check_client(client: str) -> list[str]:
    """Cross-check every case of one client; return the failures."""
    names = list(CLIENT_CASES[client])
    ours = ask_side("ours", client, names, {})["encoded"]
    theirs = ask_side(client, client, names, {})["encoded"]
    both = {name: [ours[name], theirs[name]] for name in names}
    ours_decoded = ask_side("ours", client, [], both)["decoded"]
    theirs_decoded = ask_side(client, client, [], both)["decoded"]
    failures = []
    for name in names:
        ours_own, ours_read = ours_decoded[name]
        theirs_read, theirs_own = theirs_decoded[name]
        checks = {
            "same values built": ours_own == theirs_own,
            "ours reads theirs": ours_read == ours_own,
            f"{client} reads ours": theirs_read == theirs_own,
        }
        if "metadata" in ours_own:
            urls = {m["type_url"] for d in (ours_read, theirs_read) for m in d["metadata"].values()}
            checks["Any type_url"] = urls == {SIGNATURE_DEF_MAP_URL}
        failed = [check for check, ok in checks.items() if not ok]
        failures += [f"{client} {name}: {check}" for check in failed]
        same_bytes = "identical bytes" if ours[name] == theirs[name] else "different bytes"
        print(f"{'FAIL' if failed else 'ok':4} {client} {name}: {', '.join(checks)} ({same_bytes})")
    return failures


def main() -> int:
    """Cross-check every installed client, or serve one side when called with --side."""
    parser = argparse.ArgumentParser(description="Check wire compatibility with real clients.")
    parser.add_argument("--side", choices=sorted(SIDES), help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.side:
        serve_side(args.side)
        return 0
    clients = [c for c in CLIENT_CASES if importlib.util.find_spec(c) is not None]
    if not clients:
        print(f"none of {', '.join(CLIENT_CASES)} is installed in {sys.prefix}")
        return 1
    failures = [failure for client in clients for failure in check_client(client)]
    for failure in failures:
        print(f"failed: {failure}")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
