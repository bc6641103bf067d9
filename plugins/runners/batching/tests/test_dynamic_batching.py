"""Dynamic batching on real compiled models: merged requests get exactly their own answers."""

import asyncio
import itertools

import numpy as np
import openvino as ov
import pytest
from ovms_testing.models import dummy_model, mlp_model, save_version

from ovms_core import InferInput, InferRequest, OvmsError
from ovms_core.base.status_codes import StatusCode
from ovms_core.config import ModelConfig, ServingConfig
from ovms_core.config.batching import DynamicBatching
from ovms_core.models.manager import ModelManager
from ovms_core.plugins.drivers import DriverLoader
from ovms_core.server.assembly import build_dataplane
from ovms_core.server.hooks import Hooks

LONG_DELAY_US = 500_000


@pytest.fixture(scope="module")
def models(tmp_path_factory):
    root = tmp_path_factory.mktemp("batching")
    save_version(dummy_model((1, 10)), str(root / "dummy"), 1)
    save_version(dummy_model((-1, -1)), str(root / "any"), 1)
    save_version(mlp_model(), str(root / "mlp"), 1)
    return root


def _serve(root, name, max_batch_size, delay_us, **extra):
    """Run ``scenario(dataplane)`` against ``name`` served with dynamic batching.

    Four infer requests: scenarios hold up to three inferences' outputs at once.
    """

    def run(scenario):
        async def main():
            manager = ModelManager(ov.Core(), DriverLoader(), Hooks(load_entry_points=False))
            config = ModelConfig(
                name=name,
                base_path=str(root / name),
                dynamic_batching=DynamicBatching(max_batch_size, delay_us),
                **{"nireq": 4, **extra},
            )
            await manager.apply(ServingConfig(models=(config,)))
            try:
                return await scenario(build_dataplane(manager))
            finally:
                await manager.shutdown()

        return asyncio.run(main())

    return run


def _request(name, array, input_name="input"):
    datatype = "FP32"
    return InferRequest(
        name, None, [InferInput(input_name, datatype, list(array.shape), raw=array.tobytes())]
    )


def _batched_output(view):
    """The array a request's output is a view of: the merged inference's output."""
    while isinstance(view.base, np.ndarray):
        view = view.base
    return view


async def _infer_all(dataplane, requests):
    """Infer concurrently; returns (copied outputs, whether each came from the same inference as
    the next)."""
    results = await asyncio.gather(*(dataplane.infer(r) for r in requests), return_exceptions=True)
    outputs = [r if isinstance(r, BaseException) else r.outputs[0].data for r in results]
    shared = [
        not isinstance(a, BaseException)
        and not isinstance(b, BaseException)
        and _batched_output(a) is _batched_output(b)
        for a, b in itertools.pairwise(outputs)
    ]
    copies = [o if isinstance(o, BaseException) else o.copy() for o in outputs]
    for result in results:
        if not isinstance(result, BaseException):
            result.release()
    return copies, shared


def test_merged_requests_get_their_own_rows(models):
    arrays = [np.full((1, 10), i, np.float32) for i in range(8)]

    async def scenario(dataplane):
        return await _infer_all(dataplane, [_request("dummy", a, "b") for a in arrays])

    outputs, shared = _serve(models, "dummy", 8, LONG_DELAY_US)(scenario)
    for array, output in zip(arrays, outputs, strict=True):
        assert output.shape == (1, 10)
        assert np.array_equal(output, array + 1)
    assert all(shared), "eight requests, batch size 8: one inference"


def test_metadata_keeps_the_models_own_shape(models):
    async def scenario(dataplane):
        return dataplane.model_metadata("dummy", None)

    metadata = _serve(models, "dummy", 8, 0)(scenario)
    assert metadata.inputs[0].shape == [1, 10]
    assert metadata.outputs[0].shape == [1, 10]


def test_a_lone_request_is_answered_after_the_delay(models):
    array = np.arange(10, dtype=np.float32).reshape(1, 10)

    async def scenario(dataplane):
        with await dataplane.infer(_request("dummy", array, "b")) as result:
            return result.outputs[0].data.copy()

    assert np.array_equal(_serve(models, "dummy", 8, 200_000)(scenario), array + 1)


def test_batches_are_capped_at_max_batch_size(models):
    arrays = [np.full((1, 10), i, np.float32) for i in range(6)]

    async def scenario(dataplane):
        return await _infer_all(dataplane, [_request("dummy", a, "b") for a in arrays])

    outputs, shared = _serve(models, "dummy", 3, LONG_DELAY_US)(scenario)
    assert [np.array_equal(o, a + 1) for o, a in zip(outputs, arrays, strict=True)] == [True] * 6
    assert shared == [True, True, False, True, True]


def test_different_shapes_are_not_merged(models):
    arrays = [np.ones((1, 3), np.float32), np.ones((1, 5), np.float32), np.ones((2, 3), np.float32)]

    async def scenario(dataplane):
        return await _infer_all(dataplane, [_request("any", a, "b") for a in arrays])

    outputs, _ = _serve(models, "any", 3, 100_000)(scenario)
    for array, output in zip(arrays, outputs, strict=True):
        assert np.array_equal(output, array + 1)
    # The [1,3] and [2,3] requests merged into one batch of 3; the [1,5] one ran alone.
    assert outputs[0].shape == (1, 3) and outputs[2].shape == (2, 3)


def test_a_bad_request_fails_alone(models):
    good = [np.full((1, 10), i, np.float32) for i in range(3)]
    requests = [_request("dummy", a, "b") for a in good]
    requests.insert(1, _request("dummy", np.ones((1, 9), np.float32), "b"))

    async def scenario(dataplane):
        return await _infer_all(dataplane, requests)

    outputs, _ = _serve(models, "dummy", 4, 100_000)(scenario)
    assert isinstance(outputs[1], OvmsError)
    assert outputs[1].code is StatusCode.INVALID_SHAPE
    for array, output in zip(good, [outputs[0], outputs[2], outputs[3]], strict=True):
        assert np.array_equal(output, array + 1)


def test_cancelled_waiters_leave_the_others_alone(models):
    arrays = [np.full((1, 10), i, np.float32) for i in range(4)]

    async def scenario(dataplane):
        tasks = [asyncio.create_task(dataplane.infer(_request("dummy", a, "b"))) for a in arrays]
        await asyncio.sleep(0.01)
        tasks[1].cancel()
        results = await asyncio.gather(*tasks, return_exceptions=True)
        outputs = []
        for result in results:
            if isinstance(result, BaseException):
                outputs.append(type(result))
            else:
                with result:
                    outputs.append(result.outputs[0].data.copy())
        with await dataplane.infer(_request("dummy", arrays[0], "b")) as result:
            outputs.append(result.outputs[0].data.copy())
        return outputs

    outputs = _serve(models, "dummy", 8, 100_000)(scenario)
    assert outputs[1] is asyncio.CancelledError
    for index in (0, 2, 3):
        assert np.array_equal(outputs[index], arrays[index] + 1)
    assert np.array_equal(outputs[4], arrays[0] + 1)


def test_merged_mlp_matches_unbatched_inference(models):
    rng = np.random.default_rng(1)
    arrays = [rng.random((1, 64), dtype=np.float32) for _ in range(4)]
    f32 = {"INFERENCE_PRECISION_HINT": "f32"}
    core = ov.Core()
    compiled = core.compile_model(
        core.read_model(str(models / "mlp" / "1" / "model.xml")), "CPU", f32
    )
    expected = [compiled(a)[0] for a in arrays]

    async def scenario(dataplane):
        return await _infer_all(dataplane, [_request("mlp", a) for a in arrays])

    outputs, shared = _serve(models, "mlp", 4, LONG_DELAY_US, plugin_config=f32)(scenario)
    assert all(shared)
    for want, got in zip(expected, outputs, strict=True):
        np.testing.assert_allclose(got, want, rtol=1e-5, atol=1e-6)


def test_a_model_without_batch_dimension_fails_to_load(models, tmp_path):
    save_version(dummy_model((10,)), str(tmp_path / "flat"), 1)

    async def scenario(dataplane):
        return dataplane.model_status("flat", None)[0]

    status = _serve(tmp_path, "flat", 4, 0, layout="C")(scenario)
    assert status.state != "AVAILABLE"


def test_without_delay_every_request_gets_its_answer(models):
    arrays = [np.full((1, 10), i, np.float32) for i in range(12)]

    async def one(dataplane, array):
        with await dataplane.infer(_request("dummy", array, "b")) as result:
            return result.outputs[0].data.copy()

    async def scenario(dataplane):
        return await asyncio.gather(*(one(dataplane, a) for a in arrays))

    outputs = _serve(models, "dummy", 4, 0, nireq=2)(scenario)
    for array, output in zip(arrays, outputs, strict=True):
        assert np.array_equal(output, array + 1)
