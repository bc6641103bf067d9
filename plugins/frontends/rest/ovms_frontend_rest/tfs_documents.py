"""JSON documents of the TensorFlow-Serving model status and metadata APIs and of ``/v1/config``.

They are written as OVMS writes them (the protobuf JSON printer: one-space indentation, int64
values as strings, every field present); they are small and off the inference path.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from typing import Any

from ovms_core import ModelMetadata, TensorMetadata, VersionStatus, by_kserve_name

__all__ = ["config_status_json", "model_metadata_json", "model_status_json"]

SIGNATURE_DEF_MAP = "type.googleapis.com/tensorflow.serving.SignatureDefMap"


def _pretty(document: Any) -> str:
    return json.dumps(document, indent=1, ensure_ascii=False)


def _status_document(statuses: Sequence[VersionStatus]) -> dict[str, Any]:
    return {
        "model_version_status": [
            {
                "version": str(status.version),
                "state": status.state,
                "status": {"error_code": status.error_code, "error_message": status.error_message},
            }
            for status in statuses
        ]
    }


def model_status_json(statuses: Sequence[VersionStatus]) -> bytes:
    """``GET /v1/models/{name}[/versions/{v}]``: ``{"model_version_status": [...]}``."""
    return (_pretty(_status_document(statuses)) + "\n").encode()


def config_status_json(servables: Mapping[str, Sequence[VersionStatus]]) -> bytes:
    """``GET /v1/config``: the model status document of every servable, by name."""
    if not servables:
        return b"{}"
    parts = [
        f"{json.dumps(name, ensure_ascii=False)} : \n{_pretty(_status_document(statuses))}"
        for name, statuses in servables.items()
    ]
    return ("{\n" + ",\n".join(parts) + "\n}").encode()


def _tensor_info(tensor: TensorMetadata) -> dict[str, Any]:
    datatype = by_kserve_name(tensor.datatype)
    return {
        "dtype": datatype.tfs if datatype is not None else "DT_INVALID",
        "tensorShape": {
            "dim": [{"size": str(size), "name": ""} for size in tensor.shape],
            "unknownRank": False,
        },
        "name": tensor.name,
    }


def model_metadata_json(metadata: ModelMetadata) -> bytes:
    """``GET /v1/models/{name}[/versions/{v}]/metadata``: the ``serving_default`` signature."""
    document = {
        "modelSpec": {"name": metadata.name, "signatureName": "", "version": str(metadata.version)},
        "metadata": {
            "signature_def": {
                "@type": SIGNATURE_DEF_MAP,
                "signatureDef": {
                    "serving_default": {
                        "inputs": {t.name: _tensor_info(t) for t in metadata.inputs},
                        "outputs": {t.name: _tensor_info(t) for t in metadata.outputs},
                        "methodName": "",
                        "defaults": {},
                    }
                },
            }
        },
    }
    return (_pretty(document) + "\n").encode()
