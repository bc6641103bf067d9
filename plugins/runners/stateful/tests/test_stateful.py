"""Stateful models in process: real OpenVINO variables, the dataplane and the idle cleaner."""

import asyncio

import numpy as np
import openvino as ov
import pytest
from ovms_runner_stateful import CLEANER, SequenceCleaner, StatefulRunner
from ovms_testing.models import recurrent_sum_model, running_sum_model, save_version

from ovms_core import (
    ConfigError,
    InferInput,
    InferRequest,
    ModelConfig,
    OvmsError,
    ServerContext,
    ServerSettings,
    StatusCode,
)
from ovms_core.config import ServingConfig
from ovms_core.models.manager import ModelManager
from ovms_core.plugins.drivers import DriverLoader
from ovms_core.server.assembly import build_dataplane
from ovms_core.server.hooks import Hooks


@pytest.fixture(scope="module")
def models(tmp_path_factory):
    root = tmp_path_factory.mktemp("stateful")
    save_version(running_sum_model(), str(root / "sum"), 1)
    save_version(recurrent_sum_model(), str(root / "recurrent"), 1)
    return root


def _dataplane():
    manager = ModelManager(ov.Core(), DriverLoader(), Hooks(load_entry_points=False))
    return manager, build_dataplane(manager)


def _request(value, name="sum", **parameters):
    data = np.full((1, 4), value, np.float32)
    inputs = [InferInput("x", "FP32", [1, 4], raw=data.tobytes())]
    return InferRequest(name, None, inputs, parameters=parameters)


def _runner(manager, dataplane):
    """The runner of version 1 of ``sum`` (made by its first request)."""
    compiled = manager.get("sum").versions[1].compiled
    runner = dataplane.servables.sources[0].runners.get(compiled)
    assert isinstance(runner, StatefulRunner)
    return runner


def _sequences(manager, dataplane):
    """The sequences of version 1 of ``sum``."""
    return _runner(manager, dataplane).sequences.sequences


async def _total(dataplane, request):
    with await dataplane.infer(request) as result:
        return float(result.outputs[0].data[0, 0]), result.parameters["sequence_id"]


def _run(models, scenario, **config):
    async def main():
        manager, dataplane = _dataplane()
        settings = {"stateful": True, **config}
        await manager.apply(
            ServingConfig(
                models=(ModelConfig(name="sum", base_path=str(models / "sum"), **settings),)
            )
        )
        try:
            return await scenario(manager, dataplane)
        finally:
            await manager.shutdown()

    return asyncio.run(main())


def test_interleaved_sequences_keep_their_own_totals(models):
    async def scenario(manager, dataplane):
        assert await _total(dataplane, _request(1, sequence_id=10, sequence_start=True)) == (1, 10)
        assert await _total(dataplane, _request(100, sequence_id=20, sequence_start=True)) == (
            100,
            20,
        )
        assert await _total(dataplane, _request(2, sequence_id=10)) == (3, 10)
        assert await _total(dataplane, _request(200, sequence_id=20)) == (300, 20)
        assert await _total(dataplane, _request(3, sequence_id=10, sequence_end=True)) == (6, 10)
        assert await _total(dataplane, _request(300, sequence_id=20)) == (600, 20)
        with pytest.raises(OvmsError) as caught:
            await dataplane.infer(_request(1, sequence_id=10))
        assert caught.value.code is StatusCode.SEQUENCE_MISSING
        restarted = await _total(dataplane, _request(5, sequence_id=10, sequence_start=True))
        assert restarted == (5, 10)

    _run(models, scenario)


def test_concurrent_requests_serialize_per_sequence_and_overlap_across(models):
    async def scenario(manager, dataplane):
        for sequence_id in (1, 2, 3):
            await _total(dataplane, _request(0, sequence_id=sequence_id, sequence_start=True))
        requests = [_request(1, sequence_id=s) for s in (1, 2, 3) for _ in range(20)]
        totals = await asyncio.gather(*(_total(dataplane, r) for r in requests))
        for sequence_id in (1, 2, 3):
            seen = sorted(t for t, s in totals if s == sequence_id)
            assert seen == [float(i) for i in range(1, 21)]

    _run(models, scenario, nireq=2)


def test_server_chosen_ids_and_the_sequence_limit(models):
    async def scenario(manager, dataplane):
        first = await _total(dataplane, _request(1, sequence_start=True))
        second = await _total(dataplane, _request(1, sequence_start=True))
        assert (first[1], second[1]) == (1, 2)
        with pytest.raises(OvmsError) as caught:
            await dataplane.infer(_request(1, sequence_start=True))
        assert caught.value.code is StatusCode.MAX_SEQUENCE_NUMBER_REACHED
        one_shot = _request(4, sequence_start=True, sequence_end=True)
        await _total(dataplane, _request(0, sequence_id=1, sequence_end=True))
        assert await _total(dataplane, one_shot) == (4, 3)  # ids count up, unused ones only
        assert sorted(_sequences(manager, dataplane)) == [2]

    _run(models, scenario, max_sequence_number=2)


def test_idle_sequences_are_removed_by_the_cleaner(models):
    async def scenario(manager, dataplane):
        await _total(dataplane, _request(1, sequence_id=1, sequence_start=True))
        await _total(dataplane, _request(1, sequence_id=2, sequence_start=True))
        runner = _runner(manager, dataplane)
        assert runner.sequences in CLEANER.managers
        sequences = runner.sequences.sequences
        cleaner = SequenceCleaner()
        cleaner.track(runner.sequences)
        cleaner.start(asyncio.get_running_loop(), 0.05)
        try:
            while 1 in sequences:  # sequence 2 stays busy, sequence 1 goes idle
                await _total(dataplane, _request(1, sequence_id=2))
                await asyncio.sleep(0.01)
        finally:
            cleaner.stop()
        assert sorted(sequences) == [2]
        with pytest.raises(OvmsError) as caught:
            await dataplane.infer(_request(1, sequence_id=1))
        assert caught.value.code is StatusCode.SEQUENCE_MISSING

    _run(models, scenario)


def test_idle_cleanup_can_be_turned_off(models):
    async def scenario(manager, dataplane):
        await _total(dataplane, _request(1, sequence_id=1, sequence_start=True))
        assert _runner(manager, dataplane).sequences not in CLEANER.managers
        CLEANER.clean()
        CLEANER.clean()
        assert await _total(dataplane, _request(1, sequence_id=1)) == (2, 1)

    _run(models, scenario, idle_sequence_cleanup=False)


def test_the_hook_plugin_runs_the_cleaner_with_the_server():
    assert Hooks().manager.get_plugin("stateful") is CLEANER

    async def unused_reload():
        raise AssertionError("the cleaner does not reload")

    async def main():
        manager, dataplane = _dataplane()
        running = []
        for minutes in (0, 5):
            context = ServerContext(
                ServerSettings(sequence_cleaner_poll_wait_minutes=minutes),
                dataplane,
                Hooks(load_entry_points=False),
                asyncio.get_running_loop(),
                unused_reload,
            )
            CLEANER.ovms_server_started(context=context)
            running.append(CLEANER.running)
            CLEANER.ovms_server_stopping(context=context)
            running.append(CLEANER.running)
        await manager.shutdown()
        return running

    assert asyncio.run(main()) == [False, False, True, False]


def test_reload_drops_sequences(models):
    async def scenario(manager, dataplane):
        await _total(dataplane, _request(1, sequence_id=1, sequence_start=True))
        changed = ModelConfig(
            name="sum", base_path=str(models / "sum"), stateful=True, max_sequence_number=9
        )
        await manager.apply(ServingConfig(models=(changed,)))
        with pytest.raises(OvmsError) as caught:
            await dataplane.infer(_request(1, sequence_id=1))
        assert caught.value.code is StatusCode.SEQUENCE_MISSING

    _run(models, scenario)


def test_special_inputs_count_as_optional_inputs(models):
    async def scenario(manager, dataplane):
        request = _request(1)
        request.inputs.append(
            InferInput("sequence_control_input", "UINT32", [1], values=np.array([1], np.uint32))
        )
        assert (await _total(dataplane, request))[0] == 1
        request.inputs.append(InferInput("extra", "FP32", [1], raw=bytes(4)))
        with pytest.raises(OvmsError) as caught:
            await dataplane.infer(request)
        assert caught.value.message == "Invalid number of inputs - Expected: 2; Actual: 3"

    _run(models, scenario)


def test_low_latency_transformation_makes_a_recurrence_stateful(models):
    async def main():
        manager, dataplane = _dataplane()
        base = str(models / "recurrent")
        await manager.apply(
            ServingConfig(
                models=(
                    ModelConfig(name="plain", base_path=base),
                    ModelConfig(
                        name="ll", base_path=base, stateful=True, low_latency_transformation=True
                    ),
                )
            )
        )
        data = np.arange(6, dtype=np.float32).reshape(1, 3, 2)
        totals = {}
        for name, parameters in (("plain", {}), ("ll", {"sequence_id": 1})):
            for start in (True, False):
                params = {**parameters, "sequence_start": start} if parameters else {}
                request = InferRequest(
                    name,
                    None,
                    [InferInput("x", "FP32", [1, 3, 2], raw=data.tobytes())],
                    parameters=params,
                )
                with await dataplane.infer(request) as result:
                    totals.setdefault(name, []).append(result.outputs[0].data.tolist())
        await manager.shutdown()
        return totals

    totals = asyncio.run(main())
    assert totals["plain"] == [[[6.0, 9.0]], [[6.0, 9.0]]]
    assert totals["ll"] == [[[6.0, 9.0]], [[12.0, 18.0]]]


def test_stateful_models_refuse_automatic_shapes():
    with pytest.raises(ConfigError, match="Dynamic shape and dynamic batch size are not supported"):
        ModelConfig.from_json({"name": "s", "base_path": "/m", "stateful": True, "shape": "auto"})
    with pytest.raises(ConfigError, match="Sequence max number parameter too high"):
        ModelConfig.from_json(
            {"name": "s", "base_path": "/m", "stateful": True, "max_sequence_number": 2**32}
        )
