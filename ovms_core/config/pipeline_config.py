"""The ``pipeline_config_list`` and ``custom_node_library_config_list`` sections (SPEC 4.2).

Only the schema is checked here (types, required and unknown keys); graph rules such as cycles
or missing models are checked when a pipeline is built, with the OVMS status codes.
"""

from __future__ import annotations

import logging
import os.path
from dataclasses import dataclass, field
from typing import Any

from ovms_core.base.status_codes import StatusCode
from ovms_core.config.errors import ConfigError, json_path
from ovms_core.config.schema import Path, check_object, is_int, is_list, is_obj, is_str

__all__ = [
    "ENTRY_NODE",
    "EXIT_NODE",
    "MAX_DEMULTIPLY_COUNT",
    "MODEL_NODE",
    "DataSource",
    "NodeConfig",
    "NodeLibraryConfig",
    "NodeOutput",
    "PipelineConfig",
    "parse_libraries",
    "parse_pipelines",
]

MODEL_NODE = "DL model"
"""The built-in node type that runs a served model."""
ENTRY_NODE = "request"
"""The implicit entry node: its outputs are the pipeline inputs."""
EXIT_NODE = "response"
"""The implicit exit node: fed by the pipeline outputs."""
MAX_DEMULTIPLY_COUNT = 10_000

log = logging.getLogger("ovms.config")


def _demultiply_count(value: Any) -> bool:
    return is_int(value) and -1 <= value <= MAX_DEMULTIPLY_COUNT


def _str_list(value: Any) -> bool:
    return is_list(value) and all(is_str(v) for v in value)


def _str_map(value: Any) -> bool:
    return is_obj(value) and all(is_str(v) for v in value.values())


def _version(value: Any) -> bool:
    return is_int(value) and value >= 1


def _gather(value: Any) -> bool:
    return is_str(value) or _str_list(value)


_DEMULTIPLY = (_demultiply_count, "an integer from -1 to 10000")

PIPELINE_FIELDS = {
    "name": (is_str, "a string"),
    "inputs": (_str_list, "an array of strings"),
    "outputs": (is_list, "an array"),
    "nodes": (is_list, "an array"),
    "demultiply_count": _DEMULTIPLY,
}
NODE_FIELDS = {
    "name": (is_str, "a string"),
    "type": (is_str, "a string"),
    "model_name": (is_str, "a string"),
    "version": (_version, "an integer >= 1"),
    "library_name": (is_str, "a string"),
    "params": (_str_map, "an object with string values"),
    "inputs": (is_list, "an array"),
    "outputs": (is_list, "an array"),
    "demultiply_count": _DEMULTIPLY,
    "gather_from_node": (_gather, "a string (or an array of strings)"),
}
SOURCE_FIELDS = {"node_name": (is_str, "a string"), "data_item": (is_str, "a string")}
OUTPUT_FIELDS = {"data_item": (is_str, "a string"), "alias": (is_str, "a string")}
LIBRARY_FIELDS = {"name": (is_str, "a string"), "base_path": (is_str, "a string")}


@dataclass(frozen=True)
class DataSource:
    """Where a tensor comes from: a node (or ``request``) and one of its output aliases."""

    node_name: str
    data_item: str


@dataclass(frozen=True)
class NodeOutput:
    """A node output (``data_item``: the model's or library's name) and its alias downstream."""

    data_item: str
    alias: str


@dataclass(frozen=True)
class NodeConfig:
    """One entry of a pipeline's ``nodes``."""

    name: str
    type: str
    inputs: tuple[tuple[str, DataSource], ...]
    """(node input name, source) pairs in config order; a name may repeat (an error later)."""
    outputs: tuple[NodeOutput, ...]
    model_name: str | None = None
    version: int | None = None
    library_name: str | None = None
    params: tuple[tuple[str, str], ...] = ()
    demultiply_count: int | None = None
    gather_from: tuple[str, ...] = ()

    @property
    def params_dict(self) -> dict[str, str]:
        """``params`` as a dict."""
        return dict(self.params)


@dataclass(frozen=True)
class PipelineConfig:
    """One entry of ``pipeline_config_list``."""

    name: str
    inputs: tuple[str, ...]
    outputs: tuple[tuple[str, DataSource], ...]
    nodes: tuple[NodeConfig, ...]
    demultiply_count: int | None = None
    raw: dict[str, Any] = field(default_factory=dict, compare=False)


@dataclass(frozen=True)
class NodeLibraryConfig:
    """One entry of ``custom_node_library_config_list``; ``base_path`` resolved to a file."""

    name: str
    base_path: str


def parse_libraries(items: Any, base_dir: str = "") -> tuple[NodeLibraryConfig, ...]:
    """Parse ``custom_node_library_config_list``; a later entry of the same name wins."""
    key = "custom_node_library_config_list"
    libraries: dict[str, NodeLibraryConfig] = {}
    for index, item in enumerate(items or []):
        path: Path = (key, index)
        check_object(item, path, LIBRARY_FIELDS, required=("name", "base_path"))
        if ".." in item["base_path"].replace("\\", "/").split("/"):
            raise ConfigError(
                StatusCode.PATH_INVALID.message,
                path=(*path, "base_path"),
                value=item["base_path"],
                code=StatusCode.PATH_INVALID,
            )
        libraries[item["name"]] = NodeLibraryConfig(
            item["name"], _resolve(item["base_path"], base_dir)
        )
    return tuple(libraries.values())


def parse_pipelines(items: Any, model_names: set[str]) -> tuple[PipelineConfig, ...]:
    """Parse ``pipeline_config_list``; names must differ from each other and from models."""
    pipelines: list[PipelineConfig] = []
    seen: set[str] = set()
    for index, item in enumerate(items or []):
        path: Path = ("pipeline_config_list", index)
        pipeline = _pipeline(item, path)
        if pipeline.name in model_names:
            raise ConfigError(
                f"{StatusCode.PIPELINE_NAME_OCCUPIED.message}: '{pipeline.name}'",
                path=(*path, "name"),
                code=StatusCode.PIPELINE_NAME_OCCUPIED,
            )
        if pipeline.name in seen:
            raise ConfigError(
                f"{StatusCode.PIPELINE_DEFINITION_ALREADY_EXIST.message}: '{pipeline.name}'",
                path=(*path, "name"),
                code=StatusCode.PIPELINE_DEFINITION_ALREADY_EXIST,
            )
        seen.add(pipeline.name)
        pipelines.append(pipeline)
    return tuple(pipelines)


def _pipeline(item: Any, path: Path) -> PipelineConfig:
    check_object(item, path, PIPELINE_FIELDS, required=("name", "nodes", "inputs", "outputs"))
    nodes = tuple(_node(node, (*path, "nodes", i)) for i, node in enumerate(item["nodes"]))
    return PipelineConfig(
        name=item["name"],
        inputs=tuple(item["inputs"]),
        outputs=_sources(item["outputs"], (*path, "outputs")),
        nodes=nodes,
        demultiply_count=_count(item, path),
        raw=item,
    )


def _node(item: Any, path: Path) -> NodeConfig:
    check_object(item, path, NODE_FIELDS, required=("name", "type", "inputs", "outputs"))
    kind = item["type"]
    if kind == MODEL_NODE:
        _require(item, path, "model_name", kind)
        _forbid(item, path, "library_name", kind)
    else:
        _forbid(item, path, "model_name", kind)
        _forbid(item, path, "version", kind)
        if kind == "custom":
            _require(item, path, "library_name", kind)
    outputs = []
    for index, raw in enumerate(item["outputs"]):
        check_object(raw, (*path, "outputs", index), OUTPUT_FIELDS, required=tuple(OUTPUT_FIELDS))
        outputs.append(NodeOutput(raw["data_item"], raw["alias"]))
    gather = item.get("gather_from_node", ())
    return NodeConfig(
        name=item["name"],
        type=kind,
        inputs=_sources(item["inputs"], (*path, "inputs")),
        outputs=tuple(outputs),
        model_name=item.get("model_name"),
        version=item.get("version"),
        library_name=item.get("library_name"),
        params=tuple(item.get("params", {}).items()),
        demultiply_count=_count(item, path),
        gather_from=(gather,) if isinstance(gather, str) else tuple(gather),
    )


def _count(item: dict[str, Any], path: Path) -> int | None:
    """``demultiply_count``: None when absent; the deprecated 0 means dynamic (-1)."""
    count: int | None = item.get("demultiply_count")
    if count == 0:
        log.warning(
            "%s: demultiply_count 0 will be deprecated. For dynamic count use -1.", json_path(path)
        )
        return -1
    return count


def _sources(items: list[Any], path: Path) -> tuple[tuple[str, DataSource], ...]:
    pairs = []
    for index, item in enumerate(items):
        where = (*path, index)
        if not isinstance(item, dict) or len(item) != 1:
            raise ConfigError(
                "expected an object with exactly one key: {name: {node_name, data_item}}",
                path=where,
                value=item,
            )
        ((name, source),) = item.items()
        check_object(source, (*where, name), SOURCE_FIELDS, required=tuple(SOURCE_FIELDS))
        pairs.append((name, DataSource(source["node_name"], source["data_item"])))
    return tuple(pairs)


def _require(item: dict[str, Any], path: Path, key: str, kind: str) -> None:
    if key not in item:
        raise ConfigError(f"required key '{key}' is missing for a node of type '{kind}'", path=path)


def _forbid(item: dict[str, Any], path: Path, key: str, kind: str) -> None:
    if key in item:
        raise ConfigError(f"key '{key}' is not allowed for a node of type '{kind}'", path=path)


def _resolve(base_path: str, base_dir: str) -> str:
    if not base_dir or os.path.isabs(base_path):
        return base_path
    return os.path.normpath(os.path.join(base_dir, base_path))
