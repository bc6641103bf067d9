"""The shape of a pipeline graph: names, references, cycles and demultiplexing levels.

These checks need no model or node metadata (SPEC 9.3); ``binding`` checks the tensors.
All inputs of a node come from one demultiplexing level; pipeline outputs may come from
different levels, each gathered back from its own.
"""

from __future__ import annotations

from dataclasses import dataclass

from ovms_core.base.errors import OvmsError
from ovms_core.base.status_codes import StatusCode
from ovms_core.config.pipeline_config import (
    ENTRY_NODE,
    EXIT_NODE,
    DataSource,
    NodeConfig,
    PipelineConfig,
)

__all__ = ["GraphNode", "Stack", "Structure", "build_structure"]

Stack = tuple[str, ...]


@dataclass(frozen=True)
class GraphNode:
    """One node with its resolved connections and demultiplexing level."""

    config: NodeConfig
    sources: dict[str, tuple[str, str]]
    """Node input name -> (source node, source ``data_item``), aliases resolved."""
    stack: Stack
    """Demultiplexers this node runs once per shard of (outermost first)."""
    gathers: str | None
    """The demultiplexer whose shards this node stacks into one tensor."""

    @property
    def name(self) -> str:
        """The node name."""
        return self.config.name

    @property
    def output_stack(self) -> Stack:
        """The level of this node's outputs: one deeper when it demultiplexes."""
        if self.config.demultiply_count is None:
            return self.stack
        return (*self.stack, self.name)


@dataclass(frozen=True)
class Structure:
    """A pipeline whose graph rules hold; nodes are in an order where sources come first."""

    config: PipelineConfig
    nodes: dict[str, GraphNode]
    entry_stack: Stack
    outputs: dict[str, tuple[str, str]]
    """Pipeline output name -> (source node, source ``data_item``)."""
    counts: dict[str, int]
    """Demultiplexer name (``request`` for the pipeline itself) -> count, -1 when dynamic."""

    @property
    def name(self) -> str:
        """The pipeline name."""
        return self.config.name

    def output_stack(self, node: str) -> Stack:
        """The level of the outputs of ``node`` (``request`` included)."""
        if node == ENTRY_NODE:
            return self.entry_stack
        return self.nodes[node].output_stack


def _fail(code: StatusCode, pipeline: str, details: str) -> OvmsError:
    return OvmsError(code, f"Validation of pipeline: {pipeline} definition failed. {details}")


def build_structure(config: PipelineConfig) -> Structure:
    """Check the graph rules of ``config``; raises ``OvmsError`` with the OVMS status code."""
    name = config.name
    nodes = {}
    for node in config.nodes:
        if node.name == ENTRY_NODE:
            raise _fail(StatusCode.PIPELINE_MULTIPLE_ENTRY_NODES, name, f"{ENTRY_NODE} is reserved")
        if node.name == EXIT_NODE:
            raise _fail(StatusCode.PIPELINE_MULTIPLE_EXIT_NODES, name, f"{EXIT_NODE} is reserved")
        if node.name in nodes:
            raise _fail(
                StatusCode.PIPELINE_NODE_NAME_DUPLICATE, name, f"Duplicated node: {node.name}"
            )
        nodes[node.name] = node
    if not config.inputs or not config.outputs:
        missing = "inputs" if not config.inputs else "outputs"
        raise _fail(StatusCode.PIPELINE_MISSING_ENTRY_OR_EXIT, name, f"Pipeline has no {missing}")
    aliases = {n.name: {o.alias: o.data_item for o in n.outputs} for n in config.nodes}
    aliases[ENTRY_NODE] = {i: i for i in config.inputs}

    def resolve(where: str, source: DataSource) -> tuple[str, str]:
        if source.node_name == EXIT_NODE:
            raise _fail(
                StatusCode.PIPELINE_EXIT_USED_AS_NODE_DEPENDENCY,
                name,
                f"Node: {where} uses {EXIT_NODE} as a dependency",
            )
        known = aliases.get(source.node_name)
        if known is None:
            raise _fail(
                StatusCode.PIPELINE_NODE_REFERING_TO_MISSING_NODE,
                name,
                f"Node: {where} refers to missing node: {source.node_name}",
            )
        item = known.get(source.data_item)
        if item is None:
            raise _fail(
                StatusCode.PIPELINE_NODE_REFERING_TO_MISSING_DATA_SOURCE,
                name,
                f"Node: {where} refers to missing data item: {source.data_item} "
                f"of node: {source.node_name}",
            )
        return source.node_name, item

    sources: dict[str, dict[str, tuple[str, str]]] = {}
    for node in config.nodes:
        connected: dict[str, tuple[str, str]] = {}
        for input_name, source in node.inputs:
            if input_name in connected:
                raise _fail(
                    StatusCode.PIPELINE_MODEL_INPUT_CONNECTED_TO_MULTIPLE_DATA_SOURCES,
                    name,
                    f"Node: {node.name} input: {input_name} is connected more than once",
                )
            connected[input_name] = resolve(node.name, source)
        sources[node.name] = connected
        _check_gather(name, node, nodes)
    outputs = {}
    for output_name, source in config.outputs:
        outputs[output_name] = resolve(EXIT_NODE, source)
    order = _order(name, config, sources)
    counts = {n.name: n.demultiply_count for n in config.nodes if n.demultiply_count is not None}
    entry_stack: Stack = ()
    if config.demultiply_count is not None:
        counts[ENTRY_NODE] = config.demultiply_count
        entry_stack = (ENTRY_NODE,)
    if len(counts) > 1 and any(c == -1 for c in counts.values()):
        raise OvmsError(
            StatusCode.NOT_IMPLEMENTED,
            f"PipelineDefinition: {name} has multiple demultiplexers with at least one dynamic.",
        )
    graph: dict[str, GraphNode] = {}

    def stack_of(node: str) -> Stack:
        return entry_stack if node == ENTRY_NODE else graph[node].output_stack

    for node_name in order:
        node = nodes[node_name]
        inputs = sources[node_name].values()
        level = _common_level(name, node_name, [stack_of(s) for s, _ in inputs])
        gathers = node.gather_from[0] if node.gather_from else None
        if gathers is not None:
            if not level or level[-1] != gathers:
                raise _fail(
                    StatusCode.PIPELINE_WRONG_DEMULTIPLEXER_GATHER_NODES_ORDER,
                    name,
                    f"Node: {node_name} gathers from: {gathers} but its inputs are demultiplexed "
                    f"by: {', '.join(level) or 'nothing'}",
                )
            level = level[:-1]
        graph[node_name] = GraphNode(node, sources[node_name], level, gathers)
    return Structure(config, graph, entry_stack, outputs, counts)


def _check_gather(pipeline: str, node: NodeConfig, nodes: dict[str, NodeConfig]) -> None:
    if len(node.gather_from) > 1:
        raise _fail(
            StatusCode.PIPELINE_MANUAL_GATHERING_FROM_MULTIPLE_NODES_NOT_SUPPORTED,
            pipeline,
            f"Node: {node.name} gathers from: {', '.join(node.gather_from)}",
        )
    for target in node.gather_from:
        if target == ENTRY_NODE:
            raise _fail(
                StatusCode.PIPELINE_NODE_GATHER_FROM_ENTRY_NODE,
                pipeline,
                f"Node: {node.name} gathers from: {ENTRY_NODE}",
            )
        found = nodes.get(target)
        if found is None:
            raise _fail(
                StatusCode.PIPELINE_NODE_GATHER_FROM_NOT_EXISTING_NODE,
                pipeline,
                f"Node: {node.name} gathers from missing node: {target}",
            )
        if found.demultiply_count is None:
            raise _fail(
                StatusCode.PIPELINE_NODE_GATHER_FROM_NOT_DEMULTIPLEXER,
                pipeline,
                f"Node: {node.name} gathers from: {target}, which has no demultiply_count",
            )


def _order(
    pipeline: str, config: PipelineConfig, sources: dict[str, dict[str, tuple[str, str]]]
) -> list[str]:
    """Nodes with their sources first; raises on cycles and on nodes the request never feeds."""
    pending = {n: {s for s, _ in deps.values() if s != ENTRY_NODE} for n, deps in sources.items()}
    order: list[str] = []
    ready = [n.name for n in config.nodes if not pending[n.name]]
    while ready:
        current = ready.pop(0)
        order.append(current)
        for other in (n.name for n in config.nodes):
            deps = pending[other]
            if current in deps:
                deps.discard(current)
                if not deps:
                    ready.append(other)
    if len(order) != len(sources):
        cycle = sorted(set(sources) - set(order))
        raise _fail(
            StatusCode.PIPELINE_CYCLE_FOUND, pipeline, f"Nodes in a cycle: {', '.join(cycle)}"
        )
    fed = {ENTRY_NODE}
    for node_name in order:
        if any(s in fed for s, _ in sources[node_name].values()):
            fed.add(node_name)
    unconnected = [n for n in order if n not in fed]
    if unconnected:
        raise _fail(
            StatusCode.PIPELINE_CONTAINS_UNCONNECTED_NODES,
            pipeline,
            f"Nodes not connected to {ENTRY_NODE}: {', '.join(unconnected)}",
        )
    return order


def _common_level(pipeline: str, node: str, stacks: list[Stack]) -> Stack:
    """The demultiplexing level shared by all inputs of ``node``."""
    if not stacks:
        return ()
    first = stacks[0]
    for other in stacks[1:]:
        if other != first:
            raise _fail(
                StatusCode.PIPELINE_WRONG_DEMULTIPLEXER_GATHER_NODES_ORDER,
                pipeline,
                f"Inputs of node: {node} come from different demultiplexing levels: "
                f"({', '.join(first)}) and ({', '.join(other)})",
            )
    return first
