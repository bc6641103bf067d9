"""What every node driver must do."""

from __future__ import annotations

from collections.abc import Iterator

import numpy as np
import pytest

from ovms_core import NodeDriver, NodeSpec, PipelineNode, by_kserve_name

__all__ = ["NodeContract"]


class NodeContract:
    """Subclass with fixtures ``driver``, ``spec`` and ``inputs``.

    ``spec`` is a ``NodeSpec`` the driver accepts; ``inputs`` are arrays by name that a node
    built from it takes.
    """

    @pytest.fixture
    def node(self, driver: NodeDriver, spec: NodeSpec) -> Iterator[PipelineNode]:
        built = driver.create(spec)
        yield built
        built.close()

    def test_builds_a_pipeline_node(self, node: PipelineNode) -> None:
        assert isinstance(node, PipelineNode)

    def test_metadata_uses_kserve_datatypes(self, node: PipelineNode) -> None:
        for meta in [*node.inputs_info(), *node.outputs_info()]:
            assert by_kserve_name(meta.datatype) is not None, meta
            assert all(isinstance(d, int) and d >= -1 for d in meta.shape), meta

    def test_declares_the_inputs_it_takes(
        self, node: PipelineNode, inputs: dict[str, np.ndarray]
    ) -> None:
        assert {m.name for m in node.inputs_info()} == set(inputs)

    def test_execute_gives_every_declared_output(
        self, node: PipelineNode, inputs: dict[str, np.ndarray]
    ) -> None:
        outputs = node.execute(inputs)
        for meta in node.outputs_info():
            array = np.asarray(outputs[meta.name])
            datatype = by_kserve_name(meta.datatype)
            assert datatype is not None
            if datatype.kserve == "BYTES":
                assert array.dtype.kind in "OSU"
            else:
                assert array.dtype == datatype.numpy, meta
            assert array.ndim == len(meta.shape), meta
            for size, declared in zip(array.shape, meta.shape, strict=True):
                assert declared in (-1, size), meta

    def test_execute_leaves_inputs_unchanged(
        self, node: PipelineNode, inputs: dict[str, np.ndarray]
    ) -> None:
        before = {name: np.array(array, copy=True) for name, array in inputs.items()}
        node.execute(inputs)
        for name, array in inputs.items():
            np.testing.assert_array_equal(array, before[name])
