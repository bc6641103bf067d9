"""KServe manifests: valid against the CRD schemas, and the runtime's args serve every protocol."""

from __future__ import annotations

import json
import pathlib
import urllib.request
from typing import Any

import jsonschema
import numpy as np
import pytest
import tritonclient.grpc as grpcclient
import tritonclient.http as httpclient
import yaml
from ovms_testing.models import dummy_model, save_version
from ovms_testing.server import ServerProcess, free_port

ROOT = pathlib.Path(__file__).resolve().parents[2]
KSERVE = ROOT / "deploy" / "kserve"
CRDS = pathlib.Path(__file__).parent / "fixtures" / "kserve"
MANIFESTS = sorted(KSERVE.glob("*.yaml"))


def _crd_schemas() -> dict[tuple[str, str], dict[str, Any]]:
    """(apiVersion, kind) -> openAPIV3Schema for each CRD fixture."""
    schemas = {}
    for path in CRDS.glob("*.yaml"):
        crd = yaml.safe_load(path.read_text())
        group, kind = crd["spec"]["group"], crd["spec"]["names"]["kind"]
        for version in crd["spec"]["versions"]:
            schemas[(f"{group}/{version['name']}", kind)] = version["schema"]["openAPIV3Schema"]
    return schemas


def _unknown_keys(value: Any, schema: dict[str, Any], where: str = "") -> list[str]:
    """Keys of ``value`` that the structural schema would prune (paths, dotted)."""
    if schema.get("x-kubernetes-preserve-unknown-fields"):
        return []
    found = []
    if isinstance(value, dict):
        properties = schema.get("properties")
        extra = schema.get("additionalProperties")
        if properties is None and not isinstance(extra, dict):
            return []  # an object the CRD leaves to the API server (``metadata``)
        for key, item in value.items():
            if properties is not None and key in properties:
                found += _unknown_keys(item, properties[key], f"{where}.{key}")
            elif isinstance(extra, dict):
                found += _unknown_keys(item, extra, f"{where}.{key}")
            else:
                found.append(f"{where}.{key}")
    elif isinstance(value, list) and isinstance(schema.get("items"), dict):
        for index, item in enumerate(value):
            found += _unknown_keys(item, schema["items"], f"{where}[{index}]")
    return found


def test_every_kind_has_a_manifest() -> None:
    kinds = {yaml.safe_load(path.read_text())["kind"] for path in MANIFESTS}
    assert kinds == {"ServingRuntime", "ClusterServingRuntime", "InferenceService"}


@pytest.mark.parametrize("path", MANIFESTS, ids=lambda path: path.name)
def test_manifest_matches_the_crd_schema_with_no_unknown_key(path: pathlib.Path) -> None:
    manifest = yaml.safe_load(path.read_text())
    schema = _crd_schemas()[(manifest["apiVersion"], manifest["kind"])]
    jsonschema.validate(manifest, schema)
    assert _unknown_keys(manifest, schema) == []


def test_unknown_key_is_reported() -> None:
    """The unknown-key walk finds a misspelt field (so a clean result means something)."""
    manifest = yaml.safe_load((KSERVE / "servingruntime.yaml").read_text())
    manifest["spec"]["containers"][0]["argz"] = []
    schema = _crd_schemas()[(manifest["apiVersion"], manifest["kind"])]
    assert _unknown_keys(manifest, schema) == [".spec.containers[0].argz"]


@pytest.mark.parametrize("name", ["servingruntime.yaml", "clusterservingruntime.yaml"])
def test_runtime_declares_formats_and_protocols(name: str) -> None:
    spec = yaml.safe_load((KSERVE / name).read_text())["spec"]
    formats = {entry["name"] for entry in spec["supportedModelFormats"]}
    assert formats == {"openvino", "onnx", "paddle", "tensorflow"}
    assert spec["protocolVersions"] == ["v1", "v2", "grpc-v2"]
    assert spec["containers"][0]["securityContext"]["runAsUser"] == 5000


def _runtime_args(model_dir: pathlib.Path, rest_port: int, grpc_port: int) -> list[str]:
    """The ServingRuntime's args as KServe passes them: ``{{.Name}}`` is the model's name and
    the storage initializer's ``/mnt/models`` is ``model_dir``; the fixed ports become free ones
    (other servers may hold 8080 and 9000 on this host), every other argument is kept verbatim."""
    spec = yaml.safe_load((KSERVE / "servingruntime.yaml").read_text())["spec"]
    args = []
    for template in spec["containers"][0]["args"]:
        arg = template.replace("{{.Name}}", "resnet").replace("/mnt/models", str(model_dir))
        if arg.startswith("--rest_port="):
            args += ["--rest_port", str(rest_port)]
        elif arg.startswith("--port="):
            args += ["--port", str(grpc_port)]
        else:
            args.append(arg)
    return args


def test_runtime_args_serve_v2_rest_v2_grpc_and_v1_rest(tmp_path: pathlib.Path) -> None:
    save_version(dummy_model(), str(tmp_path / "model"), 1)
    rest_port, grpc_port = free_port(), free_port()
    with ServerProcess(_runtime_args(tmp_path / "model", rest_port, grpc_port)):
        data = np.arange(10, dtype=np.float32).reshape(1, 10)

        rest = httpclient.InferenceServerClient(f"127.0.0.1:{rest_port}")
        tensor = httpclient.InferInput("b", [1, 10], "FP32")
        tensor.set_data_from_numpy(data)
        np.testing.assert_array_equal(rest.infer("resnet", [tensor]).as_numpy("a"), data + 1)

        grpc = grpcclient.InferenceServerClient(f"127.0.0.1:{grpc_port}")
        tensor = grpcclient.InferInput("b", [1, 10], "FP32")
        tensor.set_data_from_numpy(data)
        np.testing.assert_array_equal(grpc.infer("resnet", [tensor]).as_numpy("a"), data + 1)
        grpc.close()

        request = urllib.request.Request(
            f"http://127.0.0.1:{rest_port}/v1/models/resnet:predict",
            data=json.dumps({"instances": data.tolist()}).encode(),
            headers={"Content-Type": "application/json"},
        )
        with urllib.request.urlopen(request, timeout=10) as reply:
            predictions = json.load(reply)["predictions"]
        np.testing.assert_array_equal(np.array(predictions, np.float32), data + 1)

        with urllib.request.urlopen(f"http://127.0.0.1:{rest_port}/metrics", timeout=10) as reply:
            assert b"ovms_" in reply.read()
