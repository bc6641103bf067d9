"""The whole served configuration: config.json (OVMS schema) or one model from CLI flags."""

from __future__ import annotations

import hashlib
import json
import logging
import os
from dataclasses import dataclass, field, replace
from typing import Any

from ovms_core.base.status_codes import StatusCode
from ovms_core.config.errors import ConfigError
from ovms_core.config.model_config import ModelConfig
from ovms_core.config.pipeline_config import (
    NodeLibraryConfig,
    PipelineConfig,
    parse_libraries,
    parse_pipelines,
)
from ovms_core.config.schema import check_object, is_bool, is_list, is_obj

__all__ = ["ENTRY_CODES", "ServingConfig", "load_config_file", "parse_config"]

log = logging.getLogger("ovms.config")

ENTRY_CODES = frozenset({StatusCode.SHAPE_WRONG_FORMAT, StatusCode.LAYOUT_WRONG_FORMAT})
"""Errors that make OVMS skip one model entry (logged) rather than refuse the whole file."""

TOP_LEVEL_FIELDS = {
    "model_config_list": (is_list, "an array"),
    "pipeline_config_list": (is_list, "an array"),
    "custom_node_library_config_list": (is_list, "an array"),
    "custom_loader_config_list": (is_list, "an array"),
    "mediapipe_config_list": (is_list, "an array"),
    "monitoring": (is_obj, "an object"),
}


def _str_list(value: Any) -> bool:
    return isinstance(value, list) and all(isinstance(v, str) for v in value)


@dataclass(frozen=True)
class ServingConfig:
    """The servables to run and the sections that plugins interpret (monitoring)."""

    models: tuple[ModelConfig, ...] = ()
    pipelines: tuple[PipelineConfig, ...] = ()
    custom_node_libraries: tuple[NodeLibraryConfig, ...] = ()
    metrics_enable: bool = False
    metrics_list: tuple[str, ...] = ()
    source: str = ""
    digest: str = ""
    raw: dict[str, Any] = field(default_factory=dict, compare=False)
    problems: tuple[ConfigError, ...] = ()
    """Entries skipped and values ignored, as OVMS does (serve logs them, validate fails)."""

    def log_problems(self) -> None:
        """Log every skipped entry and ignored value as an error."""
        for problem in self.problems:
            log.error("Configuration entry not applied: %s", problem)


def parse_config(document: Any, source: str = "", base_dir: str = "") -> ServingConfig:
    """Validate a parsed config.json document and build the typed configuration."""
    try:
        check_object(document, (), TOP_LEVEL_FIELDS, required=("model_config_list",))
        models = []
        names: set[str] = set()
        problems: list[ConfigError] = []
        for index, item in enumerate(document["model_config_list"]):
            path: tuple[str | int, ...] = ("model_config_list", index)
            check_object(item, path, {"config": (is_obj, "an object")}, required=("config",))
            try:
                model = ModelConfig.from_json(item["config"], (*path, "config"), base_dir, problems)
            except ConfigError as error:
                if error.code not in ENTRY_CODES:
                    raise
                problems.append(error)  # OVMS skips this model and serves the others
                names.add(item["config"]["name"])
                continue
            if model.name in names:
                raise ConfigError(
                    f"model name '{model.name}' is used twice",
                    path=(*path, "config", "name"),
                    code=StatusCode.MODEL_NAME_OCCUPIED,
                )
            names.add(model.name)
            models.append(model)
        pipelines = parse_pipelines(document.get("pipeline_config_list"), names)
        libraries = parse_libraries(document.get("custom_node_library_config_list"), base_dir)
        enable, metrics = _monitoring(document.get("monitoring"))
    except ConfigError as error:
        raise error.located(source) from None
    return ServingConfig(
        models=tuple(models),
        pipelines=pipelines,
        custom_node_libraries=libraries,
        metrics_enable=enable,
        metrics_list=metrics,
        source=source,
        raw=document,
        problems=tuple(problem.located(source) for problem in problems),
    )


def _monitoring(raw: Any) -> tuple[bool, tuple[str, ...]]:
    if raw is None:
        return False, ()
    check_object(raw, ("monitoring",), {"metrics": (is_obj, "an object")}, required=("metrics",))
    metrics = check_object(
        raw["metrics"],
        ("monitoring", "metrics"),
        {"enable": (is_bool, "a boolean"), "metrics_list": (_str_list, "an array of strings")},
        required=("enable",),
    )
    return metrics["enable"], tuple(metrics.get("metrics_list", ()))


def load_config_file(path: str) -> ServingConfig:
    """Read, validate and parse a config.json file (relative base paths: from its folder)."""
    try:
        with open(path, "rb") as handle:
            content = handle.read()
    except OSError as error:
        raise ConfigError(
            f"{StatusCode.CONFIG_FILE_INVALID.message}: {error.strerror}",
            source=path,
            code=StatusCode.CONFIG_FILE_INVALID,
        ) from None
    try:
        document = json.loads(content)
    except ValueError as error:
        raise ConfigError(
            f"{StatusCode.JSON_INVALID.message}: {error}", source=path, code=StatusCode.JSON_INVALID
        ) from None
    base_dir = os.path.dirname(os.path.abspath(path))
    config = parse_config(document, source=path, base_dir=base_dir)
    return replace(config, digest=hashlib.md5(content, usedforsecurity=False).hexdigest())
