"""Binding a pipeline structure to tensor metadata: the checks of SPEC 9.3 that need shapes.

The result is a ``Plan``: what the executor runs, plus the pipeline's inputs and outputs as
clients see them.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, replace

from ovms_core.base.datatypes import by_kserve_name
from ovms_core.base.errors import OvmsError
from ovms_core.base.status_codes import StatusCode
from ovms_core.config.pipeline_config import ENTRY_NODE, MODEL_NODE
from ovms_core.config.shapes import Dim
from ovms_core.execution.tensor_info import TensorInfo
from ovms_core.pipelines.node import PipelineNode
from ovms_core.pipelines.structure import GraphNode, Stack, Structure
from ovms_core.servables.types import TensorMetadata

__all__ = [
    "ANY",
    "ModelLookup",
    "NodePorts",
    "Plan",
    "PlanNode",
    "bind",
    "compatible",
    "ports_from_metadata",
]

ANY = Dim(-1, -1)


@dataclass(frozen=True)
class NodePorts:
    """Inputs and outputs of one node by name."""

    inputs: Mapping[str, TensorInfo]
    outputs: Mapping[str, TensorInfo]


ModelLookup = Callable[[str, int | None], NodePorts]
"""Ports of a served model version; raises ``OvmsError`` when it cannot be used."""


@dataclass(frozen=True)
class PlanNode:
    """One node as the executor runs it."""

    name: str
    stack: Stack
    gathers: str | None
    demultiply: int | None
    inputs: tuple[tuple[str, str, str], ...]
    """(node input name, source node, source ``data_item``)."""
    outputs: Mapping[str, TensorInfo]
    """What the node produces (declared by its driver or model)."""
    used: tuple[str, ...]
    """The outputs other nodes or the pipeline outputs consume."""
    model: tuple[str, int | None] | None = None
    """(model name, version) for model nodes."""
    node: PipelineNode | None = None
    """The driver-built node for other node types."""

    @property
    def output_stack(self) -> Stack:
        """The level of this node's outputs: one deeper when it demultiplexes."""
        return self.stack if self.demultiply is None else (*self.stack, self.name)


@dataclass(frozen=True)
class Plan:
    """A validated pipeline: nodes in dependency order and the pipeline's ports."""

    name: str
    nodes: tuple[PlanNode, ...]
    entry_stack: Stack
    counts: Mapping[str, int]
    inputs: dict[str, TensorInfo]
    outputs: dict[str, TensorInfo]
    output_sources: Mapping[str, tuple[str, str]]

    @property
    def demultiplexers(self) -> frozenset[str]:
        """Nodes whose outputs are split into shards (``request`` included)."""
        found = {n.name for n in self.nodes if n.demultiply is not None}
        return frozenset(found | ({ENTRY_NODE} if self.entry_stack else set()))


def ports_from_metadata(
    node: str, inputs: list[TensorMetadata], outputs: list[TensorMetadata]
) -> NodePorts:
    """Ports from a driver node's declared metadata; bad datatypes raise."""
    return NodePorts(_infos(node, inputs), _infos(node, outputs))


def _infos(node: str, items: list[TensorMetadata]) -> dict[str, TensorInfo]:
    infos = {}
    for index, meta in enumerate(items):
        datatype = by_kserve_name(meta.datatype)
        if datatype is None:
            raise OvmsError(
                StatusCode.NODE_LIBRARY_METADATA_FAILED,
                f"node: {node}; tensor: {meta.name}; unknown datatype: {meta.datatype!r}",
            )
        dims = tuple(ANY if d < 0 else Dim(d, d) for d in meta.shape)
        infos[meta.name] = TensorInfo(meta.name, index, datatype, dims, None, meta.layout)
    return infos


def compatible(a: tuple[Dim, ...], b: tuple[Dim, ...]) -> bool:
    """Whether two shapes can describe the same tensor (ranges overlap, -1 matches all)."""
    if len(a) != len(b):
        return False
    for x, y in zip(a, b, strict=True):
        if x.lo == -1 or y.lo == -1:
            continue
        if max(x.lo, y.lo) > min(x.hi, y.hi):
            return False
    return True


def _fail(code: StatusCode, pipeline: str, details: str) -> OvmsError:
    return OvmsError(code, f"Validation of pipeline: {pipeline} definition failed. {details}")


def bind(
    structure: Structure,
    drivers: Mapping[str, tuple[PipelineNode, NodePorts]],
    models: ModelLookup,
) -> Plan:
    """Check every connection against metadata and build the executable plan.

    ``drivers`` holds the nodes that are not model nodes, built by their drivers. Node inputs
    and outputs may be named by any tensor name of the model port; the plan uses port names.
    """
    pipeline = structure.name
    ports: dict[str, NodePorts] = {}
    port_names: dict[str, dict[str, str]] = {}
    for graph_node in structure.nodes.values():
        config = graph_node.config
        if config.type == MODEL_NODE:
            assert config.model_name is not None
            ports[config.name] = models(config.model_name, config.version)
        else:
            ports[config.name] = drivers[config.name][1]
        port_names[config.name] = _connect(pipeline, graph_node, ports[config.name])
        if config.demultiply_count is not None:
            _check_demultiplexer(pipeline, graph_node, ports[config.name])

    def item(source: str, data_item: str) -> str:
        if source == ENTRY_NODE:
            return data_item
        found = _port(ports[source].outputs, data_item)
        assert found is not None  # checked by _connect of the source node
        return found.name

    sources = {
        name: {port_names[name][i]: (s, item(s, d)) for i, (s, d) in g.sources.items()}
        for name, g in structure.nodes.items()
    }
    output_sources = {name: (s, item(s, d)) for name, (s, d) in structure.outputs.items()}
    for graph_node in structure.nodes.values():
        for input_name, (source, data_item) in sources[graph_node.name].items():
            if source == ENTRY_NODE:
                continue
            produced = _arriving(structure, source, ports[source].outputs[data_item], graph_node)
            expected = ports[graph_node.name].inputs[input_name]
            _check_connection(pipeline, graph_node.name, input_name, expected, source, produced)
    inputs = _pipeline_inputs(structure, sources, ports)
    outputs = {}
    for index, (name, (source, data_item)) in enumerate(output_sources.items()):
        if source == ENTRY_NODE:
            if data_item not in inputs:
                raise _fail(
                    StatusCode.PIPELINE_NODE_REFERING_TO_MISSING_DATA_SOURCE,
                    pipeline,
                    f"Pipeline output: {name} passes input: {data_item}, which feeds no node",
                )
            info = inputs[data_item]
        else:
            info = _gathered(structure, source, ports[source].outputs[data_item])
        outputs[name] = replace(info, name=name, index=index, aliases=frozenset())
    used: dict[str, set[str]] = {}
    for connected in [*sources.values(), output_sources]:
        for source, data_item in connected.values():
            used.setdefault(source, set()).add(data_item)
    nodes = tuple(
        PlanNode(
            name=g.name,
            stack=g.stack,
            gathers=g.gathers,
            demultiply=g.config.demultiply_count,
            inputs=tuple((i, s, d) for i, (s, d) in sources[g.name].items()),
            outputs=ports[g.name].outputs,
            used=tuple(sorted(used.get(g.name, ()))),
            model=(g.config.model_name, g.config.version) if g.config.model_name else None,
            node=drivers[g.name][0] if g.name in drivers else None,
        )
        for g in structure.nodes.values()
    )
    return Plan(
        name=pipeline,
        nodes=nodes,
        entry_stack=structure.entry_stack,
        counts=structure.counts,
        inputs=inputs,
        outputs=outputs,
        output_sources=output_sources,
    )


def _port(ports: Mapping[str, TensorInfo], name: str) -> TensorInfo | None:
    """The port named ``name`` or having it among its other tensor names."""
    found = ports.get(name)
    if found is None:
        found = next((p for p in ports.values() if name in p.aliases), None)
    return found


def _connect(pipeline: str, graph_node: GraphNode, ports: NodePorts) -> dict[str, str]:
    """Check the node's outputs and inputs against its ports; config input name -> port name."""
    name = graph_node.name
    for output in graph_node.config.outputs:
        if _port(ports.outputs, output.data_item) is None:
            raise _fail(
                StatusCode.PIPELINE_NODE_REFERING_TO_MISSING_MODEL_OUTPUT,
                pipeline,
                f"Node: {name} has no output: {output.data_item} "
                f"(outputs: {', '.join(ports.outputs)})",
            )
    names: dict[str, str] = {}
    for input_name in graph_node.sources:
        info = _port(ports.inputs, input_name)
        if info is None:
            raise _fail(
                StatusCode.PIPELINE_CONNECTION_TO_MISSING_MODEL_INPUT,
                pipeline,
                f"Node: {name} has no input: {input_name} (inputs: {', '.join(ports.inputs)})",
            )
        if info.name in names.values():
            raise _fail(
                StatusCode.PIPELINE_MODEL_INPUT_CONNECTED_TO_MULTIPLE_DATA_SOURCES,
                pipeline,
                f"Node: {name} input: {info.name} is connected more than once",
            )
        names[input_name] = info.name
    missing = [i for i in ports.inputs if i not in names.values()]
    if missing:
        raise _fail(
            StatusCode.PIPELINE_NOT_ALL_INPUTS_CONNECTED,
            pipeline,
            f"Node: {name} inputs not connected: {', '.join(missing)}",
        )
    return names


def _check_demultiplexer(pipeline: str, graph_node: GraphNode, ports: NodePorts) -> None:
    count = graph_node.config.demultiply_count
    for output in graph_node.config.outputs:
        info = _port(ports.outputs, output.data_item)
        assert info is not None  # checked by _connect
        _check_splittable(pipeline, graph_node.name, info, count)


def _check_splittable(pipeline: str, node: str, info: TensorInfo, count: int | None) -> None:
    if info.datatype.kserve == "BYTES":
        raise _fail(
            StatusCode.PIPELINE_STRING_DEMUILTIPLICATION_UNSUPPORTED,
            pipeline,
            f"Node: {node} tensor: {info.name}",
        )
    if len(info.dims) < 2:
        raise _fail(
            StatusCode.PIPELINE_NOT_ENOUGH_SHAPE_DIMENSIONS_TO_DEMULTIPLY,
            pipeline,
            f"Node: {node} tensor: {info.name} shape: {info.shape_text()}",
        )
    first = info.dims[0]
    if count is not None and count > 0 and first.lo == first.hi and first.lo not in (-1, count):
        raise _fail(
            StatusCode.PIPELINE_DEMULTIPLY_COUNT_DOES_NOT_MATCH_TENSOR_SHARD_COUNT,
            pipeline,
            f"Demultiply count: {count} of node: {node} does not match tensor first dimension "
            f"value: {first.lo}",
        )


def _count_dim(structure: Structure, demultiplexer: str) -> Dim:
    count = structure.counts[demultiplexer]
    return ANY if count < 0 else Dim(count, count)


def _arriving(
    structure: Structure, source: str, produced: TensorInfo, consumer: GraphNode
) -> TensorInfo:
    """The tensor ``consumer`` receives: a shard of a demultiplexer, then maybe gathered."""
    dims = produced.dims
    if structure.nodes[source].config.demultiply_count is not None:
        dims = dims[1:]
    if consumer.gathers is not None:
        dims = (_count_dim(structure, consumer.gathers), *dims)
    return replace(produced, dims=dims)


def _gathered(structure: Structure, source: str, produced: TensorInfo) -> TensorInfo:
    """The tensor a pipeline output carries: every demultiplexed level gathered again."""
    dims = produced.dims
    if structure.nodes[source].config.demultiply_count is not None:
        dims = dims[1:]
    added = tuple(_count_dim(structure, d) for d in structure.output_stack(source))
    batch = None if produced.batch_index is None else produced.batch_index + len(added)
    return replace(produced, dims=(*added, *dims), batch_index=batch)


def _check_connection(
    pipeline: str,
    node: str,
    input_name: str,
    expected: TensorInfo,
    source: str,
    produced: TensorInfo,
) -> None:
    where = (
        f"dependent node: {node}; input: {input_name}; {{}}: {{}} vs dependency node: {source}; "
        f"output: {produced.name}; {{}}: {{}}"
    )
    if expected.datatype != produced.datatype:
        raise _fail(
            StatusCode.INVALID_PRECISION,
            pipeline,
            "Precision mismatch between: "
            + where.format(
                "precision", expected.datatype.ovms, "precision", produced.datatype.ovms
            ),
        )
    if not compatible(expected.dims, produced.dims):
        raise _fail(
            StatusCode.INVALID_SHAPE,
            pipeline,
            "Shape mismatch between: "
            + where.format("shape", expected.shape_text(), "shape", produced.shape_text()),
        )


def _pipeline_inputs(
    structure: Structure,
    sources: Mapping[str, Mapping[str, tuple[str, str]]],
    ports: Mapping[str, NodePorts],
) -> dict[str, TensorInfo]:
    """Pipeline inputs as clients see them, from the node inputs they feed."""
    pipeline = structure.name
    found: dict[str, TensorInfo] = {}
    for node_name, connected in sources.items():
        for input_name, (source, item) in connected.items():
            if source != ENTRY_NODE:
                continue
            info = ports[node_name].inputs[input_name]
            if structure.entry_stack:
                info = _with_count(structure, info)
                _check_splittable(pipeline, ENTRY_NODE, info, None)
            previous = found.get(item)
            if previous is not None and (
                previous.datatype != info.datatype or previous.dims != info.dims
            ):
                raise _fail(
                    StatusCode.PIPELINE_INPUTS_AMBIGUOUS_METADATA,
                    pipeline,
                    f"Input: {item} is required as {previous.datatype.ovms} "
                    f"{previous.shape_text()} and as {info.datatype.ovms} {info.shape_text()}",
                )
            found[item] = info
    ordered = {}
    for index, name in enumerate(n for n in structure.config.inputs if n in found):
        ordered[name] = replace(found[name], name=name, index=index, aliases=frozenset())
    return ordered


def _with_count(structure: Structure, info: TensorInfo) -> TensorInfo:
    batch = None if info.batch_index is None else info.batch_index + 1
    return replace(info, dims=(_count_dim(structure, ENTRY_NODE), *info.dims), batch_index=batch)
