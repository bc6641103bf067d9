import asyncio

import numpy as np
import openvino as ov
import pytest
from ovms_testing.models import dummy_model, save_version

from ovms_core import InferInput, InferRequest, OvmsError, VersionState
from ovms_core.config import ModelConfig, ServingConfig, VersionPolicy
from ovms_core.models.manager import ModelManager
from ovms_core.plugins.drivers import DriverLoader
from ovms_core.server.assembly import build_dataplane
from ovms_core.server.hooks import Hooks


def _manager():
    return ModelManager(ov.Core(), DriverLoader(), Hooks(load_entry_points=False))


def _config(name, path, **kwargs):
    return ServingConfig(models=(ModelConfig(name=name, base_path=str(path), **kwargs),))


def _request(name, values, version=None):
    data = np.asarray(values, dtype=np.float32)
    return InferRequest(name, version, [InferInput("b", "FP32", data.shape, raw=data.tobytes())])


def test_latest_policy_serves_highest_version(repository):
    async def scenario():
        manager = _manager()
        await manager.apply(_config("dummy", repository / "dummy"))
        model = manager.get("dummy")
        assert sorted(model.versions) == [2]
        assert model.default.number == 2
        await manager.shutdown()
        return model

    model = asyncio.run(scenario())
    assert model.versions[2].state == VersionState.END


def test_infer_returns_exact_values_and_releases_the_request(repository):
    async def scenario():
        manager = _manager()
        await manager.apply(
            _config("dummy", repository / "dummy", version_policy=VersionPolicy("all"))
        )
        dataplane = build_dataplane(manager)
        values = np.arange(10, dtype=np.float32).reshape(1, 10)
        with await dataplane.infer(_request("dummy", values, version=1)) as result:
            assert result.model_version == 1
            np.testing.assert_array_equal(result.outputs[0].data, values + 1)
        compiled = manager.get("dummy").versions[1].compiled
        assert compiled.inflight == 0
        assert compiled.pool.busy == 0
        await manager.shutdown()

    asyncio.run(scenario())


def test_concurrent_requests_share_a_small_pool(repository):
    async def scenario():
        manager = _manager()
        await manager.apply(_config("dummy", repository / "dummy", nireq=1))
        dataplane = build_dataplane(manager)

        async def one(i):
            values = np.full((1, 10), i, dtype=np.float32)
            with await dataplane.infer(_request("dummy", values)) as result:
                return float(result.outputs[0].data[0, 0])

        answers = await asyncio.gather(*(one(i) for i in range(20)))
        await manager.shutdown()
        return answers

    assert asyncio.run(scenario()) == [float(i + 1) for i in range(20)]


def test_failed_version_reports_loading_unknown_and_others_serve(repository):
    async def scenario():
        manager = _manager()
        config = ServingConfig(
            models=(
                ModelConfig(name="broken", base_path=str(repository / "broken")),
                ModelConfig(name="dummy", base_path=str(repository / "dummy")),
            )
        )
        await manager.apply(config)
        broken = manager.get("broken").versions[1]
        assert broken.state == VersionState.LOADING
        assert broken.error_code == "UNKNOWN_ERROR"
        assert manager.get("dummy").default is not None
        await manager.shutdown()

    asyncio.run(scenario())


def test_removed_model_ends(repository):
    async def scenario():
        manager = _manager()
        await manager.apply(_config("dummy", repository / "dummy"))
        changed = await manager.apply(ServingConfig())
        assert changed
        assert manager.get("dummy").versions[2].state == VersionState.END
        with pytest.raises(OvmsError) as caught:
            await build_dataplane(manager).infer(_request("dummy", np.zeros((1, 10))))
        assert caught.value.code.name == "MODEL_VERSION_MISSING"
        await manager.shutdown()

    asyncio.run(scenario())


def test_new_version_folder_is_picked_up_by_poll(tmp_path):
    save_version(dummy_model(), str(tmp_path / "m"), 1)

    async def scenario():
        manager = _manager()
        await manager.apply(_config("m", tmp_path / "m"))
        assert manager.get("m").default.number == 1
        save_version(dummy_model(), str(tmp_path / "m"), 5)
        assert await manager.poll()
        model = manager.get("m")
        assert model.default.number == 5
        assert model.versions[1].state == VersionState.END
        await manager.shutdown()

    asyncio.run(scenario())


def test_model_status_lists_every_known_version(repository):
    async def scenario():
        manager = _manager()
        await manager.apply(
            ServingConfig(
                models=(
                    ModelConfig(name="broken", base_path=str(repository / "broken")),
                    ModelConfig(
                        name="dummy",
                        base_path=str(repository / "dummy"),
                        version_policy=VersionPolicy("all"),
                    ),
                )
            )
        )
        dataplane = build_dataplane(manager)
        statuses = dataplane.model_status("dummy", None)
        assert [(s.version, s.state, s.error_code) for s in statuses] == [
            (1, "AVAILABLE", "OK"),
            (2, "AVAILABLE", "OK"),
        ]
        [failed] = dataplane.model_status("broken", 1)
        assert (failed.state, failed.error_code, failed.error_message) == (
            "LOADING",
            "UNKNOWN",
            "UNKNOWN",
        )
        with pytest.raises(OvmsError) as caught:
            dataplane.model_status("dummy", 9)
        assert caught.value.code.name == "MODEL_VERSION_MISSING"
        assert sorted(dataplane.config_status()) == ["broken", "dummy"]
        await manager.shutdown()

    asyncio.run(scenario())
