"""Pipelines end to end through the dataplane, with nodes written as Python functions."""

import asyncio
import threading

import numpy as np
import pytest
from ovms_pipelines import PipelineState
from pipeline_fakes import FnNode, add, arange, meta, node, pipeline, serving, split, stack

from ovms_core import InferInput, InferRequest, OvmsError, StatusCode


def REQ(item="in"):
    return ("request", item)


def request(name, array, input_name="in"):
    return InferRequest(name, None, [InferInput(input_name, "FP32", array.shape, values=array)])


def run(factories, raws, scenario):
    """Apply ``raws``, run ``scenario(dataplane, pipelines, drivers)``, shut down."""

    async def main():
        pipelines, dataplane, drivers = stack(factories)
        await pipelines.apply(serving(*raws))
        try:
            return await scenario(dataplane, pipelines, drivers)
        finally:
            await pipelines.shutdown()

    return asyncio.run(main())


async def infer(dataplane, name, array):
    """Outputs of one request, copied, with every held resource released."""
    with await dataplane.infer(request(name, array)) as result:
        return {o.name: np.array(o.data) for o in result.outputs}


def test_chain_returns_exact_values_and_looks_like_a_model():
    raw = pipeline(
        nodes=[node("one", {"x": REQ()}), node("ten", {"x": ("one", "y")})],
        outputs=[("out", "ten", "y"), ("first", "one", "y")],
    )
    factories = {"one": lambda: add(1), "ten": lambda: add(10)}

    async def scenario(dataplane, _pipelines, _drivers):
        outputs = await infer(dataplane, "p", arange(2, 3))
        np.testing.assert_array_equal(outputs["out"], arange(2, 3) + 11)
        np.testing.assert_array_equal(outputs["first"], arange(2, 3) + 1)
        metadata = dataplane.model_metadata("p", None)
        assert (metadata.name, metadata.versions, metadata.version) == ("p", ["1"], 1)
        assert [(t.name, t.datatype, t.shape) for t in metadata.inputs] == [
            ("in", "FP32", [-1, -1])
        ]
        assert [t.name for t in metadata.outputs] == ["out", "first"]
        assert dataplane.model_ready("p", None)
        (status,) = dataplane.model_status("p", None)
        assert (status.version, status.state, status.error_code) == (1, "AVAILABLE", "OK")
        assert list(dataplane.config_status()) == ["p"]

    run(factories, [raw], scenario)


def test_independent_nodes_run_concurrently():
    barrier = threading.Barrier(2, timeout=30)

    def waiting(value):
        def fn(inputs):
            barrier.wait()  # both nodes must be running at once to get past this
            return {"y": inputs["x"] + value}

        return lambda: FnNode([meta("x", shape=(-1, -1))], [meta("y", shape=(-1, -1))], fn)

    both = FnNode(
        [meta("a", shape=(-1, -1)), meta("b", shape=(-1, -1))],
        [meta("y", shape=(-1, -1))],
        lambda i: {"y": i["a"] * i["b"]},
    )
    raw = pipeline(
        nodes=[
            node("left", {"x": REQ()}),
            node("right", {"x": REQ()}),
            node("both", {"a": ("left", "y"), "b": ("right", "y")}),
        ],
        outputs=[("out", "both", "y")],
    )
    factories = {"left": waiting(1), "right": waiting(2), "both": lambda: both}

    async def scenario(dataplane, _pipelines, _drivers):
        outputs = await infer(dataplane, "p", arange(1, 4))
        np.testing.assert_array_equal(outputs["out"], (arange(1, 4) + 1) * (arange(1, 4) + 2))

    run(factories, [raw], scenario)


def test_static_demultiplexer_is_gathered_at_the_response():
    raw = pipeline(
        nodes=[
            node("split", {"x": REQ()}, demultiply_count=3),
            node("one", {"x": ("split", "y")}),
        ],
        outputs=[("out", "one", "y")],
    )
    factories = {"split": lambda: split((3, 1, -1)), "one": lambda: add(1, (1, -1))}

    async def scenario(dataplane, _pipelines, drivers):
        outputs = await infer(dataplane, "p", arange(3, 4))
        np.testing.assert_array_equal(outputs["out"], arange(3, 4).reshape(3, 1, 4) + 1)
        metadata = dataplane.model_metadata("p", None)
        assert metadata.outputs[0].shape == [3, 1, -1]
        assert drivers.built[1].calls == 3

    run(factories, [raw], scenario)


def test_dynamic_demultiplexer_with_explicit_gather():
    total = FnNode(
        [meta("x", shape=(-1, 1, -1))],
        [meta("y", shape=(1, -1))],
        lambda i: {"y": i["x"].sum(axis=0)},
    )
    raw = pipeline(
        nodes=[
            node("split", {"x": REQ()}, demultiply_count=-1),
            node("one", {"x": ("split", "y")}),
            node("total", {"x": ("one", "y")}, gather_from_node="split"),
            node("ten", {"x": ("total", "y")}),
        ],
        outputs=[("out", "ten", "y")],
    )
    factories = {
        "split": split,
        "one": lambda: add(1, (1, -1)),
        "total": lambda: total,
        "ten": lambda: add(10, (1, -1)),
    }

    async def scenario(dataplane, _pipelines, _drivers):
        for rows in (1, 5):
            outputs = await infer(dataplane, "p", arange(rows, 3))
            expected = (arange(rows, 3) + 1).sum(axis=0, keepdims=True) + 10
            np.testing.assert_array_equal(outputs["out"], expected)

    run(factories, [raw], scenario)


def test_entry_and_node_demultiplexers_nest():
    raw = pipeline(
        nodes=[
            node("split", {"x": REQ()}, demultiply_count=3),
            node("one", {"x": ("split", "y")}),
        ],
        outputs=[("out", "one", "y")],
        demultiply_count=2,
    )
    factories = {"split": lambda: split((3, 1, -1)), "one": lambda: add(1, (1, -1))}

    async def scenario(dataplane, _pipelines, _drivers):
        assert dataplane.model_metadata("p", None).inputs[0].shape == [2, -1, -1]
        outputs = await infer(dataplane, "p", arange(2, 3, 4))
        np.testing.assert_array_equal(outputs["out"], arange(2, 3, 4).reshape(2, 3, 1, 4) + 1)

    run(factories, [raw], scenario)


def _demux_error(factories, raw, array):
    async def scenario(dataplane, pipelines, _drivers):
        with pytest.raises(OvmsError) as caught:
            await dataplane.infer(request("p", array))
        assert pipelines.get("p").nodes._users == 0
        return caught.value

    return run(factories, [raw], scenario)


def _split_pipeline(count):
    return pipeline(
        nodes=[
            node("split", {"x": REQ()}, demultiply_count=count),
            node("one", {"x": ("split", "y")}),
        ],
        outputs=[("out", "one", "y")],
    )


def test_empty_demultiplexer_aborts_the_request():
    factories = {"split": split, "one": lambda: add(1, (1, -1))}
    error = _demux_error(factories, _split_pipeline(-1), np.zeros((0, 4), np.float32))
    assert error.code is StatusCode.PIPELINE_DEMULTIPLEXER_NO_RESULTS
    assert error.code.http_status == 204


def test_static_count_is_checked_at_run_time():
    factories = {"split": split, "one": lambda: add(1, (1, -1))}
    error = _demux_error(factories, _split_pipeline(3), arange(2, 4))
    assert error.code is StatusCode.PIPELINE_WRONG_DIMENSION_SIZE_TO_DEMULTIPLY


def test_shards_of_different_shapes_cannot_be_gathered():
    ragged = FnNode(
        [meta("x", shape=(1, -1))],
        [meta("y", shape=(1, -1))],
        lambda i: {"y": i["x"][:, : int(i["x"][0, 0]) + 1]},
    )
    factories = {"split": split, "one": lambda: ragged}
    error = _demux_error(factories, _split_pipeline(-1), np.array([[0, 0], [1, 1]], np.float32))
    assert error.code is StatusCode.PIPELINE_INCONSISTENT_SHARD_DIMENSIONS


@pytest.mark.parametrize(
    ("fn", "code"),
    [
        (lambda i: 1 / 0, "NODE_LIBRARY_EXECUTION_FAILED"),
        (lambda i: {"other": i["x"]}, "NODE_LIBRARY_MISSING_OUTPUT"),
        (lambda i: {"y": i["x"].astype(np.int32)}, "NODE_LIBRARY_INVALID_PRECISION"),
        (lambda i: {"y": i["x"].reshape(-1)}, "NODE_LIBRARY_INVALID_SHAPE"),
        (lambda i: [i["x"]], "NODE_LIBRARY_OUTPUTS_CORRUPTED"),
    ],
)
def test_misbehaving_node_fails_only_its_request(fn, code):
    bad = FnNode([meta("x", shape=(-1, -1))], [meta("y", shape=(-1, -1))], fn)
    raws = [
        pipeline(name="bad", nodes=[node("n", {"x": REQ()})], outputs=[("out", "n", "y")]),
        pipeline(name="good", nodes=[node("g", {"x": REQ()})], outputs=[("out", "g", "y")]),
    ]

    async def scenario(dataplane, _pipelines, _drivers):
        with pytest.raises(OvmsError) as caught:
            await dataplane.infer(request("bad", arange(1, 2)))
        assert caught.value.code.name == code
        assert "node: n" in caught.value.message
        outputs = await infer(dataplane, "good", arange(1, 2))
        np.testing.assert_array_equal(outputs["out"], arange(1, 2) + 1)

    run({"n": lambda: bad, "g": lambda: add(1)}, raws, scenario)


def test_tensors_pass_between_nodes_without_copies():
    seen = []

    def identity(inputs):
        seen.append(inputs["x"])
        return {"y": inputs["x"]}

    def shard_view(inputs):
        seen.append(inputs["x"])
        return {"y": inputs["x"]}

    raw = pipeline(
        nodes=[
            node("first", {"x": REQ()}),
            node("split", {"x": ("first", "y")}, demultiply_count=-1),
            node("shard", {"x": ("split", "y")}),
        ],
        outputs=[("out", "shard", "y"), ("same", "first", "y")],
    )
    meta_2d = ([meta("x", shape=(-1, -1))], [meta("y", shape=(-1, -1))])
    factories = {
        "first": lambda: FnNode(*meta_2d, identity),
        "split": lambda: FnNode(
            [meta("x", shape=(-1, -1))],
            [meta("y", shape=(-1, 1, -1))],
            lambda i: {"y": i["x"][:, None]},
        ),
        "shard": lambda: FnNode([meta("x", shape=(1, -1))], [meta("y", shape=(1, -1))], shard_view),
    }

    async def scenario(dataplane, _pipelines, _drivers):
        array = arange(2, 3)
        with await dataplane.infer(request("p", array)) as result:
            outputs = {o.name: o.data for o in result.outputs}
            assert np.shares_memory(outputs["same"], array)
            assert all(np.shares_memory(view, array) for view in seen)
            np.testing.assert_array_equal(outputs["out"], array[:, None])

    run(factories, [raw], scenario)


def test_request_is_validated_against_pipeline_inputs():
    raw = pipeline(nodes=[node("n", {"x": REQ()})], outputs=[("out", "n", "y")])

    async def scenario(dataplane, _pipelines, _drivers):
        with pytest.raises(OvmsError) as caught:
            await dataplane.infer(request("p", arange(1, 3)))
        assert caught.value.code is StatusCode.INVALID_SHAPE
        assert "Expected: (1,10); Actual: (1,3)" in caught.value.message
        with pytest.raises(OvmsError) as caught:
            await dataplane.infer(request("p", arange(1, 10), input_name="other"))
        assert caught.value.message == "Missing input with specific name - Required input: in"

    run({"n": lambda: add(1, (1, 10))}, [raw], scenario)


def test_reload_adds_changes_and_removes_pipelines():
    first = [
        pipeline(
            name="keep", nodes=[node("n", {"x": REQ()}, factory="one")], outputs=[("o", "n", "y")]
        ),
        pipeline(
            name="change", nodes=[node("n", {"x": REQ()}, factory="one")], outputs=[("o", "n", "y")]
        ),
        pipeline(
            name="drop", nodes=[node("n", {"x": REQ()}, factory="one")], outputs=[("o", "n", "y")]
        ),
    ]
    second = [
        first[0],
        pipeline(
            name="change", nodes=[node("n", {"x": REQ()}, factory="ten")], outputs=[("o", "n", "y")]
        ),
        pipeline(
            name="new", nodes=[node("n", {"x": REQ()}, factory="ten")], outputs=[("o", "n", "y")]
        ),
    ]
    factories = {"one": lambda: add(1), "ten": lambda: add(10)}

    async def scenario(dataplane, pipelines, drivers):
        kept = pipelines.get("keep").nodes
        changed_before = pipelines.get("change").nodes.nodes["n"][0]
        assert await pipelines.apply(serving(*second))
        assert pipelines.get("keep").nodes is kept
        assert changed_before.closed
        assert not kept.nodes["n"][0].closed
        np.testing.assert_array_equal(
            (await infer(dataplane, "change", arange(1, 2)))["o"], arange(1, 2) + 10
        )
        np.testing.assert_array_equal(
            (await infer(dataplane, "new", arange(1, 2)))["o"], arange(1, 2) + 10
        )
        with pytest.raises(OvmsError) as caught:
            await dataplane.infer(request("drop", arange(1, 2)))
        assert caught.value.code is StatusCode.PIPELINE_DEFINITION_NOT_LOADED_ANYMORE
        assert dataplane.model_status("drop", None)[0].state == "END"
        assert not dataplane.model_ready("drop", None)
        assert list(dataplane.config_status()) == ["change", "drop", "keep", "new"]
        assert not await pipelines.apply(serving(*second))

    run(factories, first, scenario)


def test_replaced_nodes_close_after_running_requests_finish():
    started, release = threading.Event(), threading.Event()

    def slow(inputs):
        started.set()
        release.wait(30)
        return {"y": inputs["x"] + 1}

    def slow_node():
        return FnNode([meta("x", shape=(-1, -1))], [meta("y", shape=(-1, -1))], slow)

    old = pipeline(nodes=[node("n", {"x": REQ()}, factory="slow")], outputs=[("o", "n", "y")])
    new = pipeline(nodes=[node("n", {"x": REQ()}, factory="fast")], outputs=[("o", "n", "y")])

    async def scenario(dataplane, pipelines, drivers):
        running = asyncio.create_task(infer(dataplane, "p", arange(1, 2)))
        await asyncio.get_running_loop().run_in_executor(None, started.wait, 30)
        old_node = drivers.built[0]
        applying = asyncio.create_task(pipelines.apply(serving(new)))
        while pipelines.get("p").nodes.nodes["n"][0] is old_node:
            await asyncio.sleep(0.01)
        np.testing.assert_array_equal(
            (await infer(dataplane, "p", arange(1, 2)))["o"], arange(1, 2) + 10
        )
        assert not old_node.closed
        release.set()
        np.testing.assert_array_equal((await running)["o"], arange(1, 2) + 1)
        await applying
        assert old_node.closed

    run({"slow": slow_node, "fast": lambda: add(10)}, [old], scenario)


def test_pipeline_states_are_reported_as_model_states():
    reported = {state.name: state.reported for state in PipelineState}
    assert reported == {
        "BEGIN": ("LOADING", "OK"),
        "AVAILABLE": ("AVAILABLE", "OK"),
        "LOADING_PRECONDITION_FAILED": ("LOADING", "FAILED_PRECONDITION"),
        "RETIRED": ("END", "OK"),
    }


def test_unknown_name_uses_the_request_status():
    async def scenario(dataplane, _pipelines, _drivers):
        unknown = request("ghost", arange(1, 2))
        unknown.unknown_name_code = StatusCode.PIPELINE_DEFINITION_NAME_MISSING
        with pytest.raises(OvmsError) as caught:
            await dataplane.infer(unknown)
        assert caught.value.code is StatusCode.PIPELINE_DEFINITION_NAME_MISSING

    run({}, [], scenario)
