"""The model manager's lifecycle guarantees, driven in-process where ordering must be exact."""

import asyncio
import json
import logging
import os
import shutil
import threading

import numpy as np
import openvino as ov
import pytest
from ovms_testing.models import dummy_model, save_version

from ovms_core import (
    ConfigError,
    InferInput,
    InferRequest,
    OvmsError,
    ReloadOutcome,
    ServerSettings,
    VersionState,
    hookimpl,
)
from ovms_core.config import ModelConfig, ServingConfig, VersionPolicy, load_config_file
from ovms_core.config.shapes import ShapeSetting
from ovms_core.models.manager import ModelManager
from ovms_core.plugins.drivers import DriverLoader
from ovms_core.server.assembly import build_dataplane
from ovms_core.server.hooks import Hooks
from ovms_core.server.server import Server


class LoadGate:
    """A hook plugin that holds the load of chosen versions until the test opens the gate."""

    def __init__(self, versions):
        self.versions = set(versions)
        self.reached = threading.Event()
        self.gate = threading.Event()

    @hookimpl
    def ovms_model_read(self, model_config, version, model):
        if version in self.versions:
            self.reached.set()
            assert self.gate.wait(60)


def make_manager(*plugins, core=None):
    hooks = Hooks(load_entry_points=False)
    for plugin in plugins:
        hooks.register(plugin)
    return ModelManager(core or ov.Core(), DriverLoader(), hooks, warmup_inferences=1)


def config(name, path, **settings):
    return ServingConfig(models=(ModelConfig(name=name, base_path=str(path), **settings),))


def request(name, version=None, value=0.0):
    data = np.full((1, 10), value, dtype=np.float32)
    return InferRequest(name, version, [InferInput("b", "FP32", data.shape, raw=data)])


async def until(condition):
    while not condition():
        await asyncio.sleep(0.01)


async def reached(event):
    await asyncio.get_running_loop().run_in_executor(None, event.wait, 60)


def test_request_for_a_loading_version_waits_then_runs(tmp_path):
    save_version(dummy_model(), str(tmp_path / "m"), 1)
    gate = LoadGate({2})

    async def scenario():
        manager = make_manager(gate)
        await manager.apply(config("m", tmp_path / "m", version_policy=VersionPolicy("all")))
        save_version(dummy_model(), str(tmp_path / "m"), 2)
        poll = asyncio.create_task(manager.poll())
        await reached(gate.reached)
        version = manager.get("m").versions[2]
        assert version.state == VersionState.LOADING
        waiting = asyncio.create_task(build_dataplane(manager).infer(request("m", 2, 4.0)))
        await asyncio.sleep(0.05)
        assert not waiting.done()
        gate.gate.set()
        with await waiting as result:
            assert result.model_version == 2
            assert result.outputs[0].data.tolist() == [[5.0] * 10]
        assert await poll
        await manager.shutdown()

    asyncio.run(scenario())


def test_default_version_never_gaps_when_the_latest_folder_is_removed(tmp_path):
    save_version(dummy_model(), str(tmp_path / "m"), 1)
    save_version(dummy_model(), str(tmp_path / "m"), 2)
    gate = LoadGate({1})

    async def scenario():
        manager = make_manager(gate)
        gate.gate.set()
        await manager.apply(config("m", tmp_path / "m"))
        model = manager.get("m")
        assert model.default.number == 2
        gate.gate.clear()
        gate.reached.clear()
        shutil.rmtree(tmp_path / "m" / "2")
        poll = asyncio.create_task(manager.poll())
        await reached(gate.reached)
        # Version 1 loads again while version 2 keeps serving as the default.
        assert model.default.number == 2
        with await build_dataplane(manager).infer(request("m")) as result:
            assert result.model_version == 2
        gate.gate.set()
        await poll
        assert model.default.number == 1
        assert model.versions[2].state == VersionState.END
        await manager.shutdown()

    asyncio.run(scenario())


def test_running_request_finishes_on_a_retiring_version(tmp_path):
    save_version(dummy_model(), str(tmp_path / "m"), 1)
    save_version(dummy_model(), str(tmp_path / "m"), 2)

    async def scenario():
        manager = make_manager()
        await manager.apply(config("m", tmp_path / "m", version_policy=VersionPolicy("all")))
        dataplane = build_dataplane(manager)
        result = await dataplane.infer(request("m", 1, 2.0))
        shutil.rmtree(tmp_path / "m" / "1")
        poll = asyncio.create_task(manager.poll())
        version = manager.get("m").versions[1]
        await until(lambda: version.state == VersionState.UNLOADING)
        assert manager.get("m").default.number == 2
        with pytest.raises(OvmsError, match="Model with requested version is retired"):
            await dataplane.infer(request("m", 1))
        assert not poll.done()
        assert result.outputs[0].data.tolist() == [[3.0] * 10]
        result.release()
        await poll
        assert version.state == VersionState.END
        assert version.compiled is None
        await manager.shutdown()

    asyncio.run(scenario())


def test_config_change_reloads_beside_running_requests(tmp_path):
    save_version(dummy_model(), str(tmp_path / "m"), 1)

    async def scenario():
        manager = make_manager()
        await manager.apply(config("m", tmp_path / "m", nireq=1))
        dataplane = build_dataplane(manager)
        version = manager.get("m").versions[1]
        old = version.compiled
        held = await dataplane.infer(request("m", None, 1.0))
        assert await manager.apply(config("m", tmp_path / "m", nireq=2))
        assert version.compiled is not old
        assert version.state == VersionState.AVAILABLE
        assert version.compiled.pool.size == 2
        with await dataplane.infer(request("m", None, 5.0)) as fresh:
            assert fresh.outputs[0].data.tolist() == [[6.0] * 10]
        assert manager.inflight == 1  # the held request, on the replaced compiled
        assert held.outputs[0].data.tolist() == [[2.0] * 10]
        held.release()
        await until(lambda: manager.inflight == 0)
        assert await manager.drain(0)
        await manager.shutdown()

    asyncio.run(scenario())


def test_failed_reload_of_a_serving_version_keeps_it_serving(tmp_path):
    save_version(dummy_model(), str(tmp_path / "m"), 1)

    async def scenario():
        manager = make_manager()
        await manager.apply(config("m", tmp_path / "m"))
        version = manager.get("m").versions[1]
        bad = config("m", tmp_path / "m", shape=ShapeSetting.parse({"nope": "(1,10)"}))
        assert await manager.apply(bad)
        assert version.state == VersionState.AVAILABLE
        assert version.error.code.name == "CONFIG_SHAPE_IS_NOT_IN_MODEL"
        with await build_dataplane(manager).infer(request("m")) as result:
            assert result.model_version == 1
        await manager.shutdown()

    asyncio.run(scenario())


def test_shutdown_waits_for_running_requests_within_its_bound(tmp_path):
    save_version(dummy_model(), str(tmp_path / "m"), 1)

    async def scenario():
        manager = make_manager()
        await manager.apply(config("m", tmp_path / "m"))
        held = await build_dataplane(manager).infer(request("m"))
        shutdown = asyncio.create_task(manager.shutdown(timeout=30))
        await asyncio.sleep(0.05)
        assert not shutdown.done()
        held.release()
        await shutdown
        assert manager.get("m").versions[1].state == VersionState.END
        # With nothing released in time, shutdown still completes.
        manager = make_manager()
        await manager.apply(config("m", tmp_path / "m"))
        held = await build_dataplane(manager).infer(request("m"))
        await manager.shutdown(timeout=0.05)
        assert manager.get("m").versions[1].state == VersionState.END
        held.release()

    asyncio.run(scenario())


def test_cache_dir_holds_compiled_blobs_except_for_auto_shapes(tmp_path):
    save_version(dummy_model(), str(tmp_path / "m"), 1)
    cache = tmp_path / "cache"
    core = ov.Core()
    core.set_property({"CACHE_DIR": str(cache)})

    def blobs():
        return sorted(n for n in os.listdir(cache) if n.endswith(".blob"))

    async def scenario():
        manager = make_manager(core=core)
        await manager.apply(config("m", tmp_path / "m"))
        first = blobs()
        assert len(first) == 1
        await manager.apply(config("m", tmp_path / "m", nireq=2))  # reload: served from cache
        assert blobs() == first
        auto = config("m", tmp_path / "m", shape=ShapeSetting.parse("auto"))
        await manager.apply(auto)
        assert blobs() == first
        allowed = config("m", tmp_path / "m", shape=ShapeSetting.parse("auto"), allow_cache=True)
        await manager.apply(allowed)
        assert len(blobs()) == 2
        await manager.shutdown()

    asyncio.run(scenario())


def test_warmup_runs_before_a_version_serves(tmp_path, caplog):
    save_version(dummy_model((-1, 10)), str(tmp_path / "m"), 1)

    async def scenario():
        manager = make_manager()
        manager.warmup_inferences = 3
        await manager.apply(config("m", tmp_path / "m"))
        await manager.shutdown()

    with caplog.at_level(logging.DEBUG, logger="ovms.modelmanager"):
        asyncio.run(scenario())
    messages = [r.getMessage() for r in caplog.records]
    warmed = messages.index("Warmed up model m version 1 with 3 inference(s)")
    available = next(i for i, m in enumerate(messages) if '"state": "AVAILABLE"' in m)
    assert warmed < available


def write_config(path, *models):
    path.write_text(json.dumps({"model_config_list": [{"config": m} for m in models]}))


def test_reload_config_semantics(tmp_path):
    save_version(dummy_model(), str(tmp_path / "a"), 1)
    save_version(dummy_model(), str(tmp_path / "b"), 1)
    path = tmp_path / "config.json"
    write_config(path, {"name": "a", "base_path": "a"})

    async def scenario():
        settings = ServerSettings(config_path=str(path), warmup_inferences=0)
        server = Server(settings, load_config_file(str(path)), make_manager().hooks, DriverLoader())
        await server.manager.apply(server.config)
        assert await server.reload_config() == ReloadOutcome(changed=False)
        write_config(path, {"name": "a", "base_path": "a"}, {"name": "b", "base_path": "b"})
        # Two reloads at once (poller and endpoint) apply the new file once.
        first, second = await asyncio.gather(server.reload_config(), server.reload_config())
        assert (first.changed, second.changed) == (True, False)
        assert server.manager.get("b").default.number == 1
        path.write_text("{not json")
        with pytest.raises(ConfigError, match="The file is not valid json"):
            await server.reload_config()
        assert server.manager.get("b").default.number == 1  # nothing changed
        write_config(path, {"name": "b", "base_path": "b"})
        assert (await server.reload_config()).changed
        assert server.manager.get("a").versions[1].state == VersionState.END
        save_version(dummy_model(), str(tmp_path / "b"), 2)  # a version folder: a change too
        assert (await server.reload_config()).changed
        assert server.manager.get("b").default.number == 2
        await server.manager.shutdown()

    asyncio.run(scenario())
