"""The settings of one served model, from config.json or the single-model CLI flags."""

from __future__ import annotations

import json
import os.path
from dataclasses import dataclass, field
from typing import Any

from ovms_core.base.status_codes import StatusCode
from ovms_core.config.batching import DynamicBatching
from ovms_core.config.errors import ConfigError
from ovms_core.config.preprocessing import Preprocessing
from ovms_core.config.schema import (
    Path,
    check_object,
    is_bool,
    is_obj,
    is_str,
    is_uint,
)
from ovms_core.config.shapes import BatchSetting, LayoutSetting, ShapeSetting
from ovms_core.config.version_policy import VersionPolicy

__all__ = ["MAX_NIREQ", "ModelConfig", "parse_plugin_config"]

MAX_NIREQ = 100_000
_UINT32_MAX = 2**32 - 1


def _str_or_uint(value: Any) -> bool:
    return is_str(value) or is_uint(value)


def _str_or_obj(value: Any) -> bool:
    return is_str(value) or is_obj(value)


MODEL_FIELDS = {
    "name": (is_str, "a string"),
    "base_path": (is_str, "a string"),
    "batch_size": (_str_or_uint, "an integer >= 0 or a string"),
    "shape": (_str_or_obj, "a string or an object"),
    "layout": (_str_or_obj, "a string or an object"),
    "model_version_policy": (is_obj, "an object"),
    "nireq": (is_uint, "an integer >= 0"),
    "target_device": (is_str, "a string"),
    "plugin_config": (is_obj, "an object"),
    "allow_cache": (is_bool, "a boolean"),
    "stateful": (is_bool, "a boolean"),
    "idle_sequence_cleanup": (is_bool, "a boolean"),
    "low_latency_transformation": (is_bool, "a boolean"),
    "max_sequence_number": (is_uint, "an integer >= 0"),
    "custom_loader_options": (is_obj, "an object"),
    "graph_path": (is_str, "a string"),
    "subconfig": (is_str, "a string"),
    "dynamic_batching": (is_obj, "an object"),
}


@dataclass(frozen=True)
class ModelConfig:
    """Everything that decides how one model is loaded and served."""

    name: str
    base_path: str
    target_device: str = "CPU"
    nireq: int = 0
    plugin_config: dict[str, Any] = field(default_factory=dict)
    batch_size: BatchSetting | None = None
    shape: ShapeSetting | None = None
    layout: LayoutSetting | None = None
    preprocessing: Preprocessing | None = None
    version_policy: VersionPolicy = field(default_factory=VersionPolicy)
    allow_cache: bool = False
    stateful: bool = False
    idle_sequence_cleanup: bool = True
    low_latency_transformation: bool = False
    max_sequence_number: int = 500
    dynamic_batching: DynamicBatching | None = None
    """Merge concurrent requests into one inference (beyond OVMS); None leaves them apart."""
    raw: dict[str, Any] = field(default_factory=dict, compare=False)

    @classmethod
    def from_json(
        cls,
        obj: Any,
        path: Path = (),
        base_dir: str = "",
        problems: list[ConfigError] | None = None,
    ) -> ModelConfig:
        """Parse a ``config`` object of ``model_config_list``."""
        check_object(obj, path, MODEL_FIELDS, required=("name", "base_path"))
        return cls.from_values(obj, path, base_dir, problems)

    @classmethod
    def from_values(
        cls,
        values: dict[str, Any],
        path: Path = (),
        base_dir: str = "",
        problems: list[ConfigError] | None = None,
    ) -> ModelConfig:
        """Build from already type-checked values (config.json or CLI).

        With ``problems``, an unparsable ``batch_size`` is ignored, as OVMS does, and its error
        appended there; without it, it raises.
        """
        nireq = values.get("nireq", 0)
        if nireq > MAX_NIREQ:
            raise ConfigError(
                StatusCode.INVALID_NIREQ.message,
                path=(*path, "nireq"),
                value=nireq,
                code=StatusCode.INVALID_NIREQ,
            )
        stateful = values.get("stateful", False)
        if not stateful:
            for key in (
                "idle_sequence_cleanup",
                "low_latency_transformation",
                "max_sequence_number",
            ):
                if key in values:
                    raise ConfigError(
                        StatusCode.INVALID_NON_STATEFUL_MODEL_PARAMETER.message,
                        path=(*path, key),
                        value=values[key],
                        code=StatusCode.INVALID_NON_STATEFUL_MODEL_PARAMETER,
                    )
        policy = values.get("model_version_policy")
        try:
            batch_size = BatchSetting.parse(values.get("batch_size"), (*path, "batch_size"))
        except ConfigError as error:
            if problems is None:
                raise
            problems.append(error)
            batch_size = None
        shape = ShapeSetting.parse(values.get("shape"), (*path, "shape"))
        if stateful:
            _check_stateful(values, batch_size, shape, path)
        batching = DynamicBatching.parse(
            values.get("dynamic_batching"), (*path, "dynamic_batching")
        )
        if batching is not None and stateful:
            raise ConfigError(
                "dynamic batching is not available for stateful models",
                path=(*path, "dynamic_batching"),
                value=values["dynamic_batching"],
            )
        return cls(
            name=values["name"],
            base_path=_resolve(values["base_path"], base_dir),
            target_device=values.get("target_device", "CPU") or "CPU",
            nireq=nireq,
            plugin_config=parse_plugin_config(
                values.get("plugin_config"), (*path, "plugin_config")
            ),
            batch_size=batch_size,
            shape=shape,
            layout=LayoutSetting.parse(values.get("layout"), (*path, "layout")),
            preprocessing=Preprocessing.parse(values, path),
            version_policy=(
                VersionPolicy()
                if policy is None
                else VersionPolicy.parse(policy, (*path, "model_version_policy"))
            ),
            allow_cache=values.get("allow_cache", False),
            stateful=stateful,
            idle_sequence_cleanup=values.get("idle_sequence_cleanup", True),
            low_latency_transformation=values.get("low_latency_transformation", False),
            max_sequence_number=values.get("max_sequence_number", 500),
            dynamic_batching=batching,
            raw=dict(values),
        )


def _check_stateful(
    values: dict[str, Any], batch: BatchSetting | None, shape: ShapeSetting | None, path: Path
) -> None:
    """Stateful models take no automatic batch or shape and at most 2^32-1 sequences."""
    automatic = (batch is not None and batch.auto) or (
        shape is not None
        and (
            (shape.anonymous is not None and shape.anonymous.auto)
            or any(spec.auto for spec in shape.named.values())
        )
    )
    if automatic:
        key = "batch_size" if batch is not None and batch.auto else "shape"
        raise ConfigError(
            StatusCode.REQUESTED_DYNAMIC_PARAMETERS_ON_STATEFUL_MODEL.message,
            path=(*path, key),
            value=values.get(key),
            code=StatusCode.REQUESTED_DYNAMIC_PARAMETERS_ON_STATEFUL_MODEL,
        )
    limit = values.get("max_sequence_number", 0)
    if limit > _UINT32_MAX:
        raise ConfigError(
            StatusCode.INVALID_MAX_SEQUENCE_NUMBER.message,
            path=(*path, "max_sequence_number"),
            value=limit,
            code=StatusCode.INVALID_MAX_SEQUENCE_NUMBER,
        )


def parse_plugin_config(raw: Any, path: Path = ()) -> dict[str, Any]:
    """OpenVINO properties from an object or its JSON text; values are strings, numbers or bools."""
    if raw is None or raw == "":
        return {}
    if isinstance(raw, str):
        try:
            raw = json.loads(raw)
        except ValueError:
            raw = None
    if not isinstance(raw, dict):
        raise ConfigError(
            StatusCode.PLUGIN_CONFIG_WRONG_FORMAT.message,
            path=path,
            value=raw,
            code=StatusCode.PLUGIN_CONFIG_WRONG_FORMAT,
        )
    for key, value in raw.items():
        if not isinstance(value, str | int | float | bool):
            raise ConfigError(
                StatusCode.PLUGIN_CONFIG_WRONG_FORMAT.message,
                path=(*path, key),
                value=value,
                code=StatusCode.PLUGIN_CONFIG_WRONG_FORMAT,
            )
    return dict(raw)


def _resolve(base_path: str, base_dir: str) -> str:
    if not base_dir or "://" in base_path or base_path.startswith("/"):
        return base_path
    return os.path.normpath(os.path.join(base_dir, base_path))
