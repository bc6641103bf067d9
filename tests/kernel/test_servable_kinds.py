"""Kinds of servable from plugins: a section whose kind is not installed is refused."""

import json
import os
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


def test_a_kind_that_fails_to_load_stops_start_up_with_its_distribution(tmp_path):
    info = tmp_path / "site" / "broken_kind-1.0.dist-info"
    info.mkdir(parents=True)
    (info / "METADATA").write_text("Metadata-Version: 2.1\nName: broken-kind\nVersion: 1.0\n")
    (info / "entry_points.txt").write_text("[ovms.servables]\nbroken = no_such_module:Kind\n")
    path = tmp_path / "config.json"
    path.write_text(json.dumps({"model_config_list": []}))
    done = subprocess.run(
        [sys.executable, "-m", "ovms_core", "validate", "--config_path", str(path)],
        capture_output=True,
        text=True,
        timeout=120,
        env={**os.environ, "PYTHONPATH": str(tmp_path / "site")},
    )
    assert done.returncode != 0
    assert "broken" in done.stderr and "broken-kind" in done.stderr, done.stderr
    assert "ModuleNotFoundError" in done.stderr and "Traceback" not in done.stderr
