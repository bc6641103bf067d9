"""Run modes from plugins: found at start-up, refused when disabled, and on the request path."""

import asyncio
import json
import os
import socket
import subprocess
import sys

import numpy as np
import openvino as ov
import pytest
from ovms_testing.models import dummy_model, running_sum_model, save_version

from ovms_core import InferInput, InferRequest, ModelConfig, OvmsError, ServingConfig, StatusCode
from ovms_core.cli.inventory import plugin_rows
from ovms_core.models.manager import ModelManager
from ovms_core.plugins.drivers import DriverLoader
from ovms_core.server.assembly import build_dataplane
from ovms_core.server.hooks import Hooks


@pytest.fixture(scope="module")
def config_file(tmp_path_factory):
    root = tmp_path_factory.mktemp("modes")
    save_version(running_sum_model(), str(root / "sum"), 1)
    save_version(dummy_model((1, 10)), str(root / "dummy"), 1)
    models = [
        {"name": "sum", "base_path": str(root / "sum"), "stateful": True},
        {
            "name": "dummy",
            "base_path": str(root / "dummy"),
            "dynamic_batching": {"max_batch_size": 4},
        },
    ]
    path = root / "config.json"
    path.write_text(json.dumps({"model_config_list": [{"config": m} for m in models]}))
    return path


def _validate(path, **env):
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = str(probe.getsockname()[1])
    return subprocess.run(
        [
            *(sys.executable, "-m", "ovms_core", "validate", "--config_path", str(path)),
            *("--rest_port", port, "--rest_bind_address", "127.0.0.1"),
        ],
        capture_output=True,
        text=True,
        timeout=120,
        env={**os.environ, **env},
    )


def test_installed_run_modes_are_listed():
    names = {(row[0], row[1]) for row in plugin_rows()}
    assert {("ovms.runners", "stateful"), ("ovms.runners", "batching")} <= names


def test_validate_accepts_the_installed_run_modes(config_file):
    done = _validate(config_file)
    assert done.returncode == 0, done.stderr
    assert "Configuration is valid: models: sum, dummy" in done.stdout


@pytest.mark.parametrize(("mode", "model"), [("stateful", "sum"), ("batching", "dummy")])
def test_validate_refuses_a_disabled_run_mode(config_file, mode, model):
    done = _validate(config_file, OVMS_DISABLE_PLUGINS=mode)
    assert done.returncode == 1
    assert f"Model {model} runs {mode}: The runner driver '{mode}' is disabled" in done.stderr


def test_a_request_to_a_model_whose_run_mode_is_missing_names_the_distribution(
    config_file, monkeypatch
):
    monkeypatch.setenv("OVMS_DISABLE_PLUGINS", "stateful")

    async def main():
        manager = ModelManager(ov.Core(), DriverLoader(), Hooks(load_entry_points=False))
        config = ModelConfig(name="sum", base_path=str(config_file.parent / "sum"), stateful=True)
        await manager.apply(ServingConfig(models=(config,)))
        data = np.ones((1, 4), np.float32)
        request = InferRequest("sum", None, [InferInput("x", "FP32", [1, 4], raw=data.tobytes())])
        try:
            with pytest.raises(OvmsError) as caught:
                await build_dataplane(manager).infer(request)
        finally:
            await manager.shutdown()
        return caught.value

    error = asyncio.run(main())
    assert error.code is StatusCode.NOT_IMPLEMENTED
    assert "model sum runs stateful, which needs ovms-runner-stateful installed" in error.message
