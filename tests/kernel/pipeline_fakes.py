"""Pipelines without plugins: nodes as Python functions, models as declared ports only."""

from __future__ import annotations

import numpy as np
import openvino as ov

from ovms_core import NodeDriver, NodeSpec, PipelineNode, TensorMetadata
from ovms_core.config.pipeline_config import parse_pipelines
from ovms_core.config.serving_config import ServingConfig
from ovms_core.models.manager import ModelManager
from ovms_core.pipelines.binding import bind, ports_from_metadata
from ovms_core.pipelines.manager import PipelineManager
from ovms_core.pipelines.structure import build_structure
from ovms_core.plugins.drivers import DriverLoader
from ovms_core.server.assembly import build_dataplane
from ovms_core.server.hooks import Hooks


def meta(name, datatype="FP32", shape=(1, 10)):
    return TensorMetadata(name, datatype, list(shape))


class FnNode(PipelineNode):
    """A node computing ``fn(inputs) -> outputs`` with declared ports."""

    def __init__(self, inputs, outputs, fn):
        self._inputs = inputs
        self._outputs = outputs
        self.fn = fn
        self.closed = False
        self.calls = 0

    def inputs_info(self):
        return list(self._inputs)

    def outputs_info(self):
        return list(self._outputs)

    def execute(self, inputs):
        self.calls += 1
        return self.fn(inputs)

    def close(self):
        self.closed = True


def add(value, shape=(-1, -1), inp="x", out="y"):
    """A node adding ``value`` to FP32 input ``x``."""
    return FnNode(
        [meta(inp, shape=shape)], [meta(out, shape=shape)], lambda i: {out: i[inp] + value}
    )


def split(shape=(-1, 1, -1)):
    """[rows, cols] -> [rows, 1, cols]: one shard per row when demultiplied."""
    return FnNode(
        [meta("x", shape=(-1, -1))],
        [meta("y", shape=shape)],
        lambda i: {"y": i["x"][:, None, :]},
    )


class FakeDrivers(DriverLoader):
    """Node type ``fake``: ``params["node"]`` names a factory in ``factories``."""

    def __init__(self, factories):
        super().__init__()
        self.factories = factories
        self.built = []

    def get(self, kind, name):
        if (kind, name) == ("node", "fake"):
            return _FakeDriver(self)
        return super().get(kind, name)


class _FakeDriver(NodeDriver):
    def __init__(self, owner):
        self.owner = owner

    def create(self, spec: NodeSpec):
        node = self.owner.factories[spec.params["node"]]()
        self.owner.built.append(node)
        return node


def pipeline(name="p", inputs=("in",), nodes=(), outputs=(), demultiply_count=None):
    raw = {
        "name": name,
        "inputs": list(inputs),
        "nodes": list(nodes),
        "outputs": [{k: {"node_name": n, "data_item": d}} for k, n, d in outputs],
    }
    if demultiply_count is not None:
        raw["demultiply_count"] = demultiply_count
    return raw


def node(name, sources, outputs=("y",), kind="fake", **extra):
    """A node entry; ``sources``: {input name: (node, data item)}; fake nodes: params.node=name."""
    entry = {
        "name": name,
        "type": kind,
        "inputs": [{i: {"node_name": n, "data_item": d}} for i, (n, d) in sources.items()],
        "outputs": [{"data_item": o, "alias": o} for o in outputs],
    }
    if kind == "fake":
        entry["params"] = {"node": extra.pop("factory", name)}
    entry.update(extra)
    return entry


def parse(raw, model_names=()):
    return parse_pipelines([raw], set(model_names))[0]


def validate(raw, nodes=None, models=None):
    """Structure and binding of one pipeline: ``nodes`` name -> PipelineNode, ``models``
    name -> (inputs, outputs) lists of TensorMetadata."""
    config = parse(raw)
    drivers = {
        name: (instance, ports_from_metadata(name, instance.inputs_info(), instance.outputs_info()))
        for name, instance in (nodes or {}).items()
    }

    def lookup(model, _version):
        inputs, outputs = (models or {})[model]
        return ports_from_metadata(model, inputs, outputs)

    return bind(build_structure(config), drivers, lookup)


def stack(factories):
    """A model manager without models, a pipeline manager with fake nodes, a dataplane."""
    models = ModelManager(ov.Core(), DriverLoader(), Hooks(load_entry_points=False))
    drivers = FakeDrivers(factories)
    pipelines = PipelineManager(models, drivers)
    return pipelines, build_dataplane(models, pipelines), drivers


def serving(*raws):
    return ServingConfig(pipelines=parse_pipelines(list(raws), set()))


def arange(*shape):
    return np.arange(int(np.prod(shape)), dtype=np.float32).reshape(shape)
