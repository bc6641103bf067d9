"""Kinds of servable from plugins: a section whose kind is not installed is refused."""

import json
import subprocess
import sys

import pytest

from ovms_core.config.serving_config import parse_config
from ovms_core.plugins.errors import DriverNotFound
from ovms_core.servables.kind import require_kinds

PIPELINE = {"name": "p", "inputs": ["in"], "nodes": [], "outputs": []}


def _document(pipelines):
    return {"model_config_list": [], "pipeline_config_list": pipelines}


def test_pipeline_entries_need_the_pipelines_kind():
    config = parse_config(_document([PIPELINE]))
    with pytest.raises(DriverNotFound) as caught:
        require_kinds(config, ())
    assert str(caught.value) == (
        "The configuration has pipeline_config_list entries, served by the servable kind "
        "'pipelines', which is not installed (installed: none); install it with: "
        "pip install ovms-pipelines"
    )
    require_kinds(config, ("pipelines",))


def test_an_empty_pipeline_list_needs_no_kind():
    require_kinds(parse_config(_document([])), ())


def test_validate_names_the_distribution_to_install(tmp_path):
    path = tmp_path / "config.json"
    path.write_text(json.dumps(_document([PIPELINE])))
    done = subprocess.run(
        [sys.executable, "-m", "ovms_core", "validate", "--config_path", str(path)],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 1
    assert "install it with: pip install ovms-pipelines" in done.stderr
