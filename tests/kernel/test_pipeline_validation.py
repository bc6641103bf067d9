"""Every graph rule of SPEC 9.3 (those about libraries: in ovms-node-custom's tests)."""

import asyncio
from dataclasses import replace

import pytest
from pipeline_fakes import (
    FnNode,
    add,
    meta,
    node,
    parse,
    pipeline,
    serving,
    split,
    stack,
    validate,
)

from ovms_core import OvmsError
from ovms_core.config import ModelConfig
from ovms_core.config.shapes import BatchSetting, ShapeSetting
from ovms_core.models.model import Model
from ovms_core.pipelines.binding import NodePorts, bind, ports_from_metadata
from ovms_core.pipelines.structure import build_structure

DUMMY = ([meta("b")], [meta("a")])
ADD_TWO = ([meta("input1"), meta("input2")], [meta("sum")])
MODELS = {"dummy": DUMMY, "add_two": ADD_TWO, "int32": ([meta("b", "INT32")], [meta("a", "INT32")])}


def model(name, sources, model_name="dummy", outputs=("a",)):
    return node(name, sources, outputs, kind="DL model", model_name=model_name)


def REQ(item="in"):
    return ("request", item)


def chain(*nodes, out=("m", "a"), **kwargs):
    return pipeline(nodes=list(nodes), outputs=[("out", *out)], **kwargs)


def rejected(raw, code, nodes=None, models=MODELS):
    with pytest.raises(OvmsError) as caught:
        validate(raw, nodes, models)
    assert caught.value.code.name == code, caught.value.message
    return caught.value.message


def test_valid_pipeline_reports_inputs_and_outputs():
    plan = validate(
        chain(model("m", {"b": REQ()}), model("n", {"b": ("m", "a")}), out=("n", "a")),
        models=MODELS,
    )
    assert list(plan.inputs) == ["in"]
    assert plan.inputs["in"].metadata_shape == [1, 10]
    assert plan.outputs["out"].datatype.kserve == "FP32"


def test_node_named_request_is_a_second_entry():
    message = rejected(chain(model("request", {"b": REQ()})), "PIPELINE_MULTIPLE_ENTRY_NODES")
    assert "Validation of pipeline: p definition failed" in message


def test_node_named_response_is_a_second_exit():
    rejected(chain(model("response", {"b": REQ()})), "PIPELINE_MULTIPLE_EXIT_NODES")


@pytest.mark.parametrize("empty", ["inputs", "outputs"])
def test_pipeline_needs_inputs_and_outputs(empty):
    raw = chain(model("m", {"b": REQ()}))
    raw[empty] = []
    message = rejected(raw, "PIPELINE_MISSING_ENTRY_OR_EXIT")
    assert f"Pipeline has no {empty}" in message


def test_node_names_are_unique():
    rejected(
        chain(model("m", {"b": REQ()}), model("m", {"b": REQ()})), "PIPELINE_NODE_NAME_DUPLICATE"
    )


def test_cycle_is_found():
    message = rejected(
        chain(
            model("m", {"b": REQ()}),
            node("x", {"a": ("m", "a"), "b": ("z", "y")}),
            node("z", {"x": ("x", "y")}),
        ),
        "PIPELINE_CYCLE_FOUND",
    )
    assert "x, z" in message


def test_node_without_a_path_from_the_request_is_unconnected():
    rejected(
        chain(model("m", {"b": REQ()}), node("lonely", {})), "PIPELINE_CONTAINS_UNCONNECTED_NODES"
    )


def test_reference_to_missing_node():
    message = rejected(
        chain(model("m", {"b": ("ghost", "a")})), "PIPELINE_NODE_REFERING_TO_MISSING_NODE"
    )
    assert "missing node: ghost" in message


@pytest.mark.parametrize("source", [REQ("nope"), ("m", "nope")])
def test_reference_to_missing_data_item(source):
    raw = chain(model("m", {"b": REQ()}), model("n", {"b": source}), out=("n", "a"))
    rejected(raw, "PIPELINE_NODE_REFERING_TO_MISSING_DATA_SOURCE")


def test_missing_model_output():
    raw = chain(model("m", {"b": REQ()}, outputs=("nope",)), out=("m", "nope"))
    rejected(raw, "PIPELINE_NODE_REFERING_TO_MISSING_MODEL_OUTPUT")


def test_connection_to_missing_model_input():
    raw = chain(model("m", {"b": REQ(), "c": REQ()}))
    rejected(raw, "PIPELINE_CONNECTION_TO_MISSING_MODEL_INPUT")


def test_all_model_inputs_must_be_connected():
    raw = chain(model("m", {"input1": REQ()}, "add_two", ("sum",)), out=("m", "sum"))
    message = rejected(raw, "PIPELINE_NOT_ALL_INPUTS_CONNECTED")
    assert "input2" in message


def test_an_input_is_fed_once():
    raw = chain(model("m", {"b": REQ()}))
    raw["nodes"][0]["inputs"].append({"b": {"node_name": "request", "data_item": "in"}})
    rejected(raw, "PIPELINE_MODEL_INPUT_CONNECTED_TO_MULTIPLE_DATA_SOURCES")


def test_response_cannot_feed_a_node():
    raw = chain(model("m", {"b": ("response", "out")}))
    rejected(raw, "PIPELINE_EXIT_USED_AS_NODE_DEPENDENCY")


def test_shape_mismatch_between_connected_nodes():
    models = {**MODELS, "wide": ([meta("b", shape=(1, 20))], [meta("a", shape=(1, 20))])}
    raw = chain(model("m", {"b": REQ()}), model("w", {"b": ("m", "a")}, "wide"), out=("w", "a"))
    message = rejected(raw, "INVALID_SHAPE", models=models)
    assert "Shape mismatch between: dependent node: w; input: b; shape: (1,20)" in message


def test_precision_mismatch_between_connected_nodes():
    raw = chain(model("m", {"b": REQ()}), model("i", {"b": ("m", "a")}, "int32"), out=("i", "a"))
    message = rejected(raw, "INVALID_PRECISION")
    assert "precision: I32 vs dependency node: m; output: a; precision: FP32" in message


def test_pipeline_input_feeding_different_metadata_is_ambiguous():
    raw = chain(model("m", {"b": REQ()}), model("i", {"b": REQ()}, "int32"), out=("m", "a"))
    rejected(raw, "PIPELINE_INPUTS_AMBIGUOUS_METADATA")


def test_gather_from_missing_node():
    raw = chain(model("m", {"b": REQ()}, outputs=("a",)))
    raw["nodes"][0]["gather_from_node"] = "ghost"
    rejected(raw, "PIPELINE_NODE_GATHER_FROM_NOT_EXISTING_NODE")


def test_gather_from_a_node_that_does_not_demultiply():
    raw = chain(model("m", {"b": REQ()}), model("n", {"b": ("m", "a")}), out=("n", "a"))
    raw["nodes"][1]["gather_from_node"] = "m"
    rejected(raw, "PIPELINE_NODE_GATHER_FROM_NOT_DEMULTIPLEXER")


def test_gather_from_the_request():
    raw = chain(model("m", {"b": REQ()}), demultiply_count=2)
    raw["nodes"][0]["gather_from_node"] = "request"
    rejected(raw, "PIPELINE_NODE_GATHER_FROM_ENTRY_NODE")


def test_gather_from_several_nodes_at_once():
    raw = chain(model("m", {"b": REQ()}))
    raw["nodes"][0]["gather_from_node"] = ["a", "b"]
    rejected(raw, "PIPELINE_MANUAL_GATHERING_FROM_MULTIPLE_NODES_NOT_SUPPORTED")


def test_demultiplexer_outputs_need_two_dimensions():
    flat = lambda: FnNode([meta("x", shape=(-1, -1))], [meta("y", shape=(-1,))], None)  # noqa: E731
    raw = chain(node("s", {"x": REQ()}, demultiply_count=-1), out=("s", "y"))
    rejected(raw, "PIPELINE_NOT_ENOUGH_SHAPE_DIMENSIONS_TO_DEMULTIPLY", {"s": flat()})


def test_static_demultiply_count_must_match_first_dimension():
    raw = chain(node("s", {"x": REQ()}, demultiply_count=3), out=("s", "y"))
    message = rejected(
        raw,
        "PIPELINE_DEMULTIPLY_COUNT_DOES_NOT_MATCH_TENSOR_SHARD_COUNT",
        {"s": split(shape=(4, 1, 10))},
    )
    assert (
        "Demultiply count: 3 of node: s does not match tensor first dimension value: 4" in message
    )


def test_strings_cannot_be_demultiplied():
    strings = FnNode([meta("x")], [meta("y", "BYTES", (-1, 1))], None)
    raw = chain(node("s", {"x": REQ()}, demultiply_count=-1), out=("s", "y"))
    rejected(raw, "PIPELINE_STRING_DEMUILTIPLICATION_UNSUPPORTED", {"s": strings})


def test_gathering_the_outer_demultiplexer_first_is_not_lifo():
    raw = chain(
        node("outer", {"x": REQ()}, demultiply_count=2),
        node("inner", {"x": ("outer", "y")}, demultiply_count=2),
        node("g", {"x": ("inner", "y")}, gather_from_node="outer"),
        out=("g", "y"),
    )
    fakes = {"outer": split((2, 1, -1)), "inner": split((2, 1, -1)), "g": add(1, (-1, -1, -1))}
    message = rejected(raw, "PIPELINE_WRONG_DEMULTIPLEXER_GATHER_NODES_ORDER", fakes)
    assert "gathers from: outer but its inputs are demultiplexed by: outer, inner" in message


def test_inputs_from_different_levels_are_rejected():
    raw = chain(
        node("s", {"x": REQ()}, demultiply_count=2),
        node("both", {"x": ("s", "y"), "z": REQ()}),
        out=("both", "y"),
    )
    both = FnNode([meta("x", shape=(1, -1)), meta("z", shape=(-1, -1))], [meta("y")], None)
    message = rejected(
        raw,
        "PIPELINE_WRONG_DEMULTIPLEXER_GATHER_NODES_ORDER",
        {"s": split((2, 1, -1)), "both": both},
    )
    assert "different demultiplexing levels" in message


def test_several_demultiplexers_with_a_dynamic_one():
    raw = chain(
        node("s", {"x": REQ()}, demultiply_count=-1),
        node("t", {"x": ("s", "y")}, demultiply_count=2),
        out=("t", "y"),
    )
    message = rejected(raw, "NOT_IMPLEMENTED", {"s": split(), "t": split()})
    assert "has multiple demultiplexers with at least one dynamic" in message


def test_entry_demultiplexing_adds_a_dimension_to_inputs_and_outputs():
    plan = validate(chain(model("m", {"b": REQ()}), demultiply_count=-1), models=MODELS)
    assert plan.inputs["in"].metadata_shape == [-1, 1, 10]
    assert plan.outputs["out"].metadata_shape == [-1, 1, 10]


def test_node_demultiplexer_shards_are_checked_against_consumers():
    raw = chain(node("s", {"x": REQ()}, demultiply_count=3), model("m", {"b": ("s", "y")}))
    plan = validate(raw, {"s": split((3, 1, 10))}, MODELS)
    assert plan.outputs["out"].metadata_shape == [3, 1, 10]
    wrong = split((3, 1, 11))
    rejected(raw, "INVALID_SHAPE", {"s": wrong})


def _manager_state(raw, factories=None, models=None):
    async def scenario():
        pipelines, _, _ = stack(factories or {})
        for name, config in (models or {}).items():
            pipelines.models.models[name] = Model(config)
        await pipelines.apply(serving(raw))
        found = pipelines.get(raw["name"])
        result = found.status()[0], found.error
        await pipelines.shutdown()
        return result

    return asyncio.run(scenario())


def test_unknown_node_type_fails_the_pipeline():
    raw = chain(node("n", {"x": REQ()}, kind="nonsense"), out=("n", "y"))
    status, error = _manager_state(raw)
    assert (status.state, status.error_code) == ("LOADING", "FAILED_PRECONDITION")
    assert error.code.name == "PIPELINE_NODE_WRONG_KIND_CONFIGURATION"
    assert "No node driver named 'nonsense' is installed" in error.message


def test_missing_model_fails_the_pipeline():
    status, error = _manager_state(chain(model("m", {"b": REQ()})))
    assert status.error_code == "FAILED_PRECONDITION"
    assert error.code.name == "PIPELINE_NODE_REFERING_TO_MISSING_MODEL"
    assert error.message.endswith(
        "Validation of pipeline: p definition failed. Missing model: dummy;"
    )


@pytest.mark.parametrize(
    "config",
    [
        ModelConfig("dummy", "/m", batch_size=BatchSetting.parse("auto")),
        ModelConfig("dummy", "/m", shape=ShapeSetting.parse("auto")),
        ModelConfig("dummy", "/m", stateful=True),
    ],
)
def test_models_with_auto_shapes_or_state_are_forbidden(config):
    _, error = _manager_state(chain(model("m", {"b": REQ()})), models={"dummy": config})
    assert error.code.name == "FORBIDDEN_MODEL_DYNAMIC_PARAMETER"


def _aliased_lookup(_model, _version):
    inputs = ports_from_metadata("m", [meta("/Cast_1_output_0")], []).inputs
    outputs = ports_from_metadata("m", [], [meta("4195")]).outputs
    aliased_in = {k: replace(v, aliases=frozenset({"input_0"})) for k, v in inputs.items()}
    aliased_out = {k: replace(v, aliases=frozenset({"probabilities"})) for k, v in outputs.items()}
    return NodePorts(aliased_in, aliased_out)


def test_model_ports_may_be_named_by_any_tensor_name():
    raw = chain(
        model("m", {"input_0": REQ()}, outputs=("probabilities",)), out=("m", "probabilities")
    )
    plan = bind(build_structure(parse(raw)), {}, _aliased_lookup)
    assert plan.nodes[0].inputs == (("/Cast_1_output_0", "request", "in"),)
    assert plan.output_sources == {"out": ("m", "4195")}
    twice = chain(
        model("m", {"input_0": REQ(), "/Cast_1_output_0": REQ()}, outputs=("4195",)),
        out=("m", "4195"),
    )
    with pytest.raises(OvmsError) as caught:
        bind(build_structure(parse(twice)), {}, _aliased_lookup)
    assert caught.value.code.name == "PIPELINE_MODEL_INPUT_CONNECTED_TO_MULTIPLE_DATA_SOURCES"


def test_missing_model_version_fails_the_pipeline():
    raw = chain(node("m", {"b": REQ()}, ("a",), kind="DL model", model_name="dummy", version=7))
    _, error = _manager_state(raw, models={"dummy": ModelConfig("dummy", "/m")})
    assert error.code.name == "PIPELINE_NODE_REFERING_TO_MISSING_MODEL"
    assert error.message.endswith("Missing model: dummy; version: 7;")
