import json

from ovms_frontend_rest.tfs_documents import (
    config_status_json,
    model_metadata_json,
    model_status_json,
)

from ovms_core import ModelMetadata, TensorMetadata, VersionStatus

AVAILABLE = VersionStatus(2, "AVAILABLE", "OK")
FAILED = VersionStatus(1, "LOADING", "UNKNOWN")


def test_model_status_is_the_protobuf_rendering():
    assert model_status_json([AVAILABLE]).decode() == (
        "{\n"
        ' "model_version_status": [\n'
        "  {\n"
        '   "version": "2",\n'
        '   "state": "AVAILABLE",\n'
        '   "status": {\n'
        '    "error_code": "OK",\n'
        '    "error_message": "OK"\n'
        "   }\n"
        "  }\n"
        " ]\n"
        "}\n"
    )


def test_config_status_joins_servables_by_name():
    body = config_status_json({"a": [FAILED], "b": [AVAILABLE]}).decode()
    assert body.startswith('{\n"a" : \n{\n "model_version_status": [')
    assert '\n},\n"b" : \n{\n' in body
    assert body.endswith("\n}\n}")
    document = json.loads(body)
    assert document["a"]["model_version_status"][0] == {
        "version": "1",
        "state": "LOADING",
        "status": {"error_code": "UNKNOWN", "error_message": "UNKNOWN"},
    }
    assert config_status_json({}) == b"{}"


def test_metadata_document():
    metadata = ModelMetadata(
        name="dummy",
        versions=["1"],
        platform="OpenVINO",
        inputs=[TensorMetadata("b", "FP32", [-1, 10])],
        outputs=[TensorMetadata("a", "INT64", [1])],
        version=1,
    )
    document = json.loads(model_metadata_json(metadata))
    assert document["modelSpec"] == {"name": "dummy", "signatureName": "", "version": "1"}
    signature = document["metadata"]["signature_def"]
    assert signature["@type"] == "type.googleapis.com/tensorflow.serving.SignatureDefMap"
    default = signature["signatureDef"]["serving_default"]
    assert default["inputs"] == {
        "b": {
            "dtype": "DT_FLOAT",
            "tensorShape": {
                "dim": [{"size": "-1", "name": ""}, {"size": "10", "name": ""}],
                "unknownRank": False,
            },
            "name": "b",
        }
    }
    assert default["outputs"]["a"]["dtype"] == "DT_INT64"
    assert (default["methodName"], default["defaults"]) == ("", {})
