"""The pipeline manager: builds, revalidates, swaps and retires pipelines.

A pipeline is (re)built when its configuration (or a library it uses) changes: graph rules
first, then its driver nodes are created in a worker thread, then it is bound to the current
models. When models change, pipelines are only bound again. Requests keep running on the
plan and nodes they started with; replaced nodes are closed once no request uses them.
"""

from __future__ import annotations

import asyncio
import functools
import logging
import os
from collections.abc import Iterable
from concurrent.futures import ThreadPoolExecutor

from ovms_core.base.errors import OvmsError
from ovms_core.base.status_codes import StatusCode
from ovms_core.config.model_config import ModelConfig
from ovms_core.config.pipeline_config import MODEL_NODE, NodeLibraryConfig, PipelineConfig
from ovms_core.config.serving_config import ServingConfig
from ovms_core.models.manager import ModelManager
from ovms_core.models.states import VersionState
from ovms_core.pipelines.binding import NodePorts, bind, ports_from_metadata
from ovms_core.pipelines.execution import Runtime
from ovms_core.pipelines.node import NodeSpec, PipelineNode
from ovms_core.pipelines.nodeset import NodeSet, close_nodes
from ovms_core.pipelines.pipeline import Pipeline, PipelineState
from ovms_core.pipelines.structure import build_structure
from ovms_core.plugins.drivers import DriverLoader
from ovms_core.plugins.errors import PluginError

__all__ = ["PipelineManager"]

log = logging.getLogger("ovms.pipelines")


class PipelineManager:
    """Every pipeline by name; state changes happen on the event loop."""

    def __init__(self, models: ModelManager, drivers: DriverLoader) -> None:
        self.models = models
        self.drivers = drivers
        self.pipelines: dict[str, Pipeline] = {}
        workers = ThreadPoolExecutor(
            max_workers=max(2, os.cpu_count() or 2), thread_name_prefix="ovms-node"
        )
        self.runtime = Runtime(models, workers)
        self._lock = asyncio.Lock()

    def get(self, name: str) -> Pipeline | None:
        """The pipeline served under ``name``."""
        return self.pipelines.get(name)

    def names(self) -> Iterable[str]:
        """Names of every known pipeline, retired ones included."""
        return self.pipelines.keys()

    def check_drivers(self, config: ServingConfig) -> None:
        """Load the node driver of every node type ``config`` uses; raises ``PluginError``."""
        for pipeline in config.pipelines:
            for node in pipeline.nodes:
                if node.type != MODEL_NODE:
                    self.drivers.get("node", node.type)

    async def apply(self, config: ServingConfig) -> bool:
        """Match ``config`` and bind every pipeline to the current models.

        Call after the models changed too. True when any pipeline changed state or plan.
        """
        async with self._lock:
            changed = False
            wanted = {p.name: p for p in config.pipelines}
            for name, pipeline in self.pipelines.items():
                if name not in wanted and pipeline.state is not PipelineState.RETIRED:
                    log.info("Pipeline %s was removed from the configuration", name)
                    await self._retire(pipeline)
                    changed = True
            libraries = {library.name: library for library in config.custom_node_libraries}
            for pipeline_config in config.pipelines:
                used = _libraries(pipeline_config, libraries)
                known = self.pipelines.get(pipeline_config.name)
                if (
                    known is not None
                    and known.config == pipeline_config
                    and known.libraries == used
                    and known.state is not PipelineState.RETIRED
                ):
                    changed = self._bind(known) or changed
                    continue
                if known is None:
                    known = Pipeline(pipeline_config, self.runtime)
                    self.pipelines[known.name] = known
                await self._build(known, pipeline_config, used, libraries)
                changed = True
            return changed

    async def _build(
        self,
        pipeline: Pipeline,
        config: PipelineConfig,
        used: tuple[NodeLibraryConfig, ...],
        libraries: dict[str, NodeLibraryConfig],
    ) -> None:
        if pipeline.state is PipelineState.RETIRED:
            pipeline.set_state(PipelineState.BEGIN)
        pipeline.config = config
        pipeline.libraries = used
        try:
            build_structure(config)
            loop = asyncio.get_running_loop()
            created = await loop.run_in_executor(
                self.runtime.workers, self._create_nodes, config, libraries
            )
        except OvmsError as error:
            old, pipeline.nodes, pipeline.plan = pipeline.nodes, None, None
            pipeline.set_state(PipelineState.LOADING_PRECONDITION_FAILED, error)
            await self._close(old)
            return
        old = pipeline.nodes
        pipeline.nodes = NodeSet(created, asyncio.get_running_loop())
        self._bind(pipeline)
        await self._close(old)

    def _bind(self, pipeline: Pipeline) -> bool:
        """Bind ``pipeline`` to the current models; True when its state changed."""
        nodes = pipeline.nodes
        if nodes is None:
            return False
        failed = PipelineState.LOADING_PRECONDITION_FAILED
        lookup = functools.partial(self._model_ports, pipeline.name)
        try:
            plan = bind(build_structure(pipeline.config), nodes.nodes, lookup)
        except OvmsError as error:
            pipeline.plan = None
            known = pipeline.error
            if pipeline.state is failed and known is not None and known.message == error.message:
                return False
            pipeline.set_state(failed, error)
            return True
        pipeline.plan = plan
        if pipeline.state is PipelineState.AVAILABLE:
            return False
        pipeline.set_state(PipelineState.AVAILABLE)
        return True

    def _model_ports(self, pipeline: str, name: str, version: int | None) -> NodePorts:
        model = self.models.get(name)
        missing = OvmsError(
            StatusCode.PIPELINE_NODE_REFERING_TO_MISSING_MODEL,
            f"Validation of pipeline: {pipeline} definition failed. Missing model: {name};"
            + (f" version: {version};" if version else ""),
        )
        if model is None or model.removed:
            raise missing
        config = model.config
        if config.stateful or _auto(config):
            raise OvmsError(
                StatusCode.FORBIDDEN_MODEL_DYNAMIC_PARAMETER,
                f"Validation of pipeline: {pipeline} definition failed. Model: {name} is "
                "stateful or uses auto batch size or shape",
            )
        found = model.versions.get(version) if version else model.default
        if found is None or found.state != VersionState.AVAILABLE or found.compiled is None:
            raise missing
        loaded = found.compiled.model
        return NodePorts(loaded.inputs, loaded.outputs)

    def _create_nodes(
        self, config: PipelineConfig, libraries: dict[str, NodeLibraryConfig]
    ) -> dict[str, tuple[PipelineNode, NodePorts]]:
        """Create every driver node (blocking: runs in a worker thread)."""
        created: dict[str, tuple[PipelineNode, NodePorts]] = {}
        try:
            for node in config.nodes:
                if node.type == MODEL_NODE:
                    continue
                try:
                    driver = self.drivers.get("node", node.type)
                except PluginError as error:
                    raise OvmsError(
                        StatusCode.PIPELINE_NODE_WRONG_KIND_CONFIGURATION,
                        f"Node: {node.name} type: {node.type}; {error}",
                    ) from None
                library = libraries.get(node.library_name) if node.library_name else None
                spec = NodeSpec(
                    pipeline_name=config.name,
                    name=node.name,
                    type=node.type,
                    params=node.params_dict,
                    library_name=node.library_name,
                    library_path=library.base_path if library else None,
                    input_names=tuple(name for name, _ in node.inputs),
                    output_names=tuple(o.data_item for o in node.outputs),
                )
                try:
                    instance = driver.create(spec)
                except OvmsError:
                    raise
                except Exception as error:  # a driver bug must only fail this pipeline
                    raise OvmsError(
                        StatusCode.NODE_LIBRARY_INITIALIZE_FAILED,
                        f"node: {node.name}; {type(error).__name__}: {error}",
                    ) from None
                try:
                    ports = ports_from_metadata(
                        node.name, instance.inputs_info(), instance.outputs_info()
                    )
                except BaseException:
                    close_nodes({node.name: instance})
                    raise
                created[node.name] = (instance, ports)
        except BaseException:
            close_nodes({name: node for name, (node, _) in created.items()})
            raise
        return created

    async def _close(self, nodes: NodeSet | None) -> None:
        if nodes is None:
            return
        await nodes.drained()
        await asyncio.get_running_loop().run_in_executor(self.runtime.workers, nodes.close)

    async def _retire(self, pipeline: Pipeline) -> None:
        old, pipeline.nodes, pipeline.plan = pipeline.nodes, None, None
        pipeline.set_state(PipelineState.RETIRED)
        await self._close(old)

    async def shutdown(self) -> None:
        """Retire every pipeline (after in-flight requests finish) and stop the workers."""
        async with self._lock:
            for pipeline in self.pipelines.values():
                if pipeline.state is not PipelineState.RETIRED:
                    await self._retire(pipeline)
        self.runtime.workers.shutdown(wait=False, cancel_futures=True)


def _auto(config: ModelConfig) -> bool:
    batch = config.batch_size is not None and config.batch_size.auto
    shape = config.shape
    shapes = [] if shape is None else [shape.anonymous, *shape.named.values()]
    return batch or any(s is not None and s.auto for s in shapes)


def _libraries(
    config: PipelineConfig, libraries: dict[str, NodeLibraryConfig]
) -> tuple[NodeLibraryConfig, ...]:
    names = {n.library_name for n in config.nodes if n.library_name}
    return tuple(libraries[n] for n in sorted(names) if n in libraries)
