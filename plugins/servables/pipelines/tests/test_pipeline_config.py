import json

import pytest
from ovms_pipelines.config import parse_sections

from ovms_core import ConfigError
from ovms_core.config.serving_config import load_config_file, parse_config


def _parse(document, source=""):
    return parse_sections(parse_config(document, source=source))


def _document(pipelines=(), libraries=None, models=()):
    document = {
        "model_config_list": [{"config": {"name": m, "base_path": f"/m/{m}"}} for m in models],
        "pipeline_config_list": list(pipelines),
    }
    if libraries is not None:
        document["custom_node_library_config_list"] = libraries
    return document


def _pipeline(**changes):
    raw = {
        "name": "p",
        "inputs": ["in"],
        "nodes": [
            {
                "name": "n",
                "type": "DL model",
                "model_name": "dummy",
                "inputs": [{"b": {"node_name": "request", "data_item": "in"}}],
                "outputs": [{"data_item": "a", "alias": "out"}],
            }
        ],
        "outputs": [{"result": {"node_name": "n", "data_item": "out"}}],
    }
    raw.update(changes)
    return raw


def _node(**changes):
    raw = dict(_pipeline()["nodes"][0])
    raw.update(changes)
    return {k: v for k, v in raw.items() if v is not None}


def test_pipeline_is_parsed_into_typed_config():
    config = _parse(_document([_pipeline(demultiply_count=4)], models=["dummy"]))
    (pipeline,) = config.pipelines
    assert pipeline.name == "p"
    assert pipeline.inputs == ("in",)
    assert pipeline.demultiply_count == 4
    (node,) = pipeline.nodes
    assert node.type == "DL model"
    assert node.model_name == "dummy"
    assert node.inputs[0][0] == "b"
    assert node.inputs[0][1].node_name == "request"
    assert pipeline.outputs[0][0] == "result"


def test_demultiply_count_zero_means_dynamic():
    node = _node(demultiply_count=0)
    config = _parse(_document([_pipeline(nodes=[node])]))
    assert config.pipelines[0].nodes[0].demultiply_count == -1


@pytest.mark.parametrize(
    ("pipeline", "path", "problem"),
    [
        (_pipeline(extra=1), "$.pipeline_config_list[0].extra", "unknown key 'extra'"),
        ({"name": "p", "inputs": []}, "$.pipeline_config_list[0]", "required key 'nodes'"),
        (_pipeline(inputs=[1]), "$.pipeline_config_list[0].inputs", "an array of strings"),
        (_pipeline(demultiply_count=10001), "$.pipeline_config_list[0].demultiply_count", "-1"),
        (
            _pipeline(nodes=[_node(library_name="lib")]),
            "$.pipeline_config_list[0].nodes[0]",
            "'library_name' is not allowed for a node of type 'DL model'",
        ),
        (
            _pipeline(nodes=[_node(model_name=None)]),
            "$.pipeline_config_list[0].nodes[0]",
            "required key 'model_name' is missing for a node of type 'DL model'",
        ),
        (
            _pipeline(nodes=[_node(type="custom")]),
            "$.pipeline_config_list[0].nodes[0]",
            "'model_name' is not allowed for a node of type 'custom'",
        ),
        (
            _pipeline(nodes=[_node(type="custom", model_name=None)]),
            "$.pipeline_config_list[0].nodes[0]",
            "required key 'library_name' is missing for a node of type 'custom'",
        ),
        (
            _pipeline(nodes=[_node(version=0)]),
            "$.pipeline_config_list[0].nodes[0].version",
            "an integer >= 1",
        ),
        (
            _pipeline(nodes=[_node(params={"k": 1})]),
            "$.pipeline_config_list[0].nodes[0].params",
            "string values",
        ),
        (
            _pipeline(nodes=[_node(inputs=[{"a": {"node_name": "x"}}])]),
            "$.pipeline_config_list[0].nodes[0].inputs[0].a",
            "required key 'data_item'",
        ),
        (
            _pipeline(nodes=[_node(inputs=[{"a": {}, "b": {}}])]),
            "$.pipeline_config_list[0].nodes[0].inputs[0]",
            "exactly one key",
        ),
        (
            _pipeline(nodes=[_node(outputs=[{"data_item": "a"}])]),
            "$.pipeline_config_list[0].nodes[0].outputs[0]",
            "required key 'alias'",
        ),
    ],
)
def test_schema_errors_name_the_json_path(pipeline, path, problem):
    with pytest.raises(ConfigError) as caught:
        _parse(_document([pipeline]), source="config.json")
    assert f"config.json: {path}" in str(caught.value)
    assert problem in str(caught.value)
    assert caught.value.code.name == "JSON_INVALID"


def test_pipeline_may_not_take_a_model_name():
    with pytest.raises(ConfigError) as caught:
        _parse(_document([_pipeline(name="dummy")], models=["dummy"]))
    assert caught.value.code.name == "PIPELINE_NAME_OCCUPIED"
    assert "Pipeline has the same name as model: 'dummy'" in str(caught.value)


def test_pipeline_names_are_unique():
    with pytest.raises(ConfigError) as caught:
        _parse(_document([_pipeline(), _pipeline()]))
    assert caught.value.code.name == "PIPELINE_DEFINITION_ALREADY_EXIST"
    assert "$.pipeline_config_list[1].name" in str(caught.value)


def test_library_paths_are_relative_to_the_config_file(tmp_path):
    path = tmp_path / "config.json"
    libraries = [{"name": "lib", "base_path": "libs/libnode.so"}]
    path.write_text(json.dumps(_document(libraries=libraries)))
    (library,) = parse_sections(load_config_file(str(path))).libraries
    assert library.name == "lib"
    assert library.base_path == str(tmp_path / "libs" / "libnode.so")


@pytest.mark.parametrize(
    ("library", "problem"),
    [
        ({"name": "lib"}, "required key 'base_path'"),
        ({"name": "lib", "base_path": "a.so", "x": 1}, "unknown key 'x'"),
        ({"name": "lib", "base_path": "../a.so"}, "The provided base path is invalid"),
    ],
)
def test_library_errors_name_the_json_path(library, problem):
    with pytest.raises(ConfigError) as caught:
        _parse(_document(libraries=[library]))
    assert "$.custom_node_library_config_list[0]" in str(caught.value)
    assert problem in str(caught.value)
