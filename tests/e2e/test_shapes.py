"""Shapes, batch size, layouts, name mapping and pre-processing (SPEC section 7)."""

import asyncio
import json

import numpy as np
import openvino as ov
import openvino.opset13 as ops
import pytest
from ovms_testing.models import dummy_model, save_version
from ovms_testing.server import ServerProcess

from ovms_core import InferInput, InferRequest, OvmsError
from ovms_core.config import ModelConfig, ServingConfig
from ovms_core.config.shapes import BatchSetting, LayoutSetting, ShapeSetting
from ovms_core.models.manager import ModelManager
from ovms_core.plugins.drivers import DriverLoader
from ovms_core.server.assembly import build_dataplane
from ovms_core.server.hooks import Hooks

CHANNEL_SCALE = np.array([1, 2, 3], dtype=np.float32)
MAPPED_BUT_REAL = "Shape from config has real name. Use mapped name instead"


def channel_model() -> ov.Model:
    """``y = x * [1,2,3]`` per channel of ``x`` FP32 NCHW [1,3,2,2]."""
    x = ops.parameter([1, 3, 2, 2], ov.Type.f32, name="x")
    y = ops.multiply(x, ops.constant(CHANNEL_SCALE.reshape(1, 3, 1, 1)))
    y.output(0).set_names({"y"})
    return ov.Model([y], [x], "channels")


def identity_model() -> ov.Model:
    """``y = x + 0`` on ``x`` FP32 NCHW [1,3,2,2]."""
    x = ops.parameter([1, 3, 2, 2], ov.Type.f32, name="x")
    y = ops.add(x, ops.constant(np.float32(0)))
    y.output(0).set_names({"y"})
    return ov.Model([y], [x], "identity")


@pytest.fixture(scope="module")
def models(tmp_path_factory):
    root = tmp_path_factory.mktemp("shapes")
    save_version(dummy_model(), str(root / "static"), 1)
    save_version(dummy_model((-1, 10)), str(root / "dynamic"), 1)
    save_version(channel_model(), str(root / "channels"), 1)
    save_version(identity_model(), str(root / "identity"), 1)
    mapped = save_version(dummy_model(), str(root / "mapped"), 1)
    with open(f"{mapped}/mapping_config.json", "w") as handle:
        json.dump({"inputs": {"b": "in"}, "outputs": {"a": "out"}}, handle)
    return root


def serve(*configs):
    """Load ``configs`` in a fresh manager; returns (manager, dataplane) inside a coroutine."""
    manager = ModelManager(ov.Core(), DriverLoader(), Hooks(load_entry_points=False))
    return manager, build_dataplane(manager), ServingConfig(models=tuple(configs))


def request(name, array, input_name="b"):
    array = np.ascontiguousarray(array)
    datatype = {np.float32: "FP32", np.uint8: "UINT8"}[array.dtype.type]
    return InferRequest(name, None, [InferInput(input_name, datatype, array.shape, raw=array)])


def run(configs, scenario):
    async def main():
        manager, dataplane, config = serve(*configs)
        await manager.apply(config)
        try:
            return await scenario(manager, dataplane)
        finally:
            await manager.shutdown()

    return asyncio.run(main())


async def infer(dataplane, name, array, input_name="b"):
    with await dataplane.infer(request(name, array, input_name)) as result:
        return {o.name: np.array(o.data) for o in result.outputs}


async def infer_error(dataplane, name, array, input_name="b"):
    with pytest.raises(OvmsError) as caught:
        await dataplane.infer(request(name, array, input_name))
    return caught.value.message


def shaped(models, name, folder, **settings):
    return ModelConfig(name=name, base_path=str(models / folder), **settings)


def test_fixed_range_and_any_dimensions(models):
    configs = [
        shaped(models, "fixed", "dynamic", shape=ShapeSetting.parse("(2,10)")),
        shaped(models, "ranged", "dynamic", shape=ShapeSetting.parse("(1:4,10)")),
        shaped(models, "any", "static", shape=ShapeSetting.parse({"b": "(-1,10)"})),
        shaped(models, "auto", "static", shape=ShapeSetting.parse("auto")),
    ]

    async def scenario(_manager, dataplane):
        shapes = {
            name: dataplane.model_metadata(name, None).inputs[0].shape
            for name in ("fixed", "ranged", "any", "auto")
        }
        assert shapes == {
            "fixed": [2, 10],
            "ranged": [-1, 10],
            "any": [-1, 10],
            "auto": [-1, -1],
        }
        x = np.arange(20, dtype=np.float32).reshape(2, 10)
        assert (await infer(dataplane, "fixed", x))["a"].tolist() == (x + 1).tolist()
        assert await infer_error(dataplane, "fixed", np.zeros((3, 10), np.float32)) == (
            "Invalid input batch size - Expected: 2; Actual: 3; input name: b"
        )
        wide = np.zeros((4, 10), np.float32)
        assert (await infer(dataplane, "ranged", wide))["a"].shape == (4, 10)
        assert await infer_error(dataplane, "ranged", np.zeros((5, 10), np.float32)) == (
            "Invalid input batch size - Expected: [1~4]; Actual: 5; input name: b"
        )
        assert (await infer(dataplane, "any", np.zeros((7, 10), np.float32)))["a"].shape == (7, 10)
        # auto: any shape, no reload needed (the model is served with dynamic dimensions)
        odd = np.ones((3, 10), np.float32)
        assert (await infer(dataplane, "auto", odd))["a"].tolist() == (odd + 1).tolist()

    run(configs, scenario)


def test_batch_size_settings(models):
    configs = [
        shaped(models, "four", "static", batch_size=BatchSetting.parse(4)),
        shaped(models, "range", "static", batch_size=BatchSetting.parse("1:8")),
        shaped(models, "auto", "static", batch_size=BatchSetting.parse("auto")),
        shaped(
            models,
            "both",
            "static",
            batch_size=BatchSetting.parse(4),
            shape=ShapeSetting.parse("(2,10)"),
        ),
    ]

    async def scenario(_manager, dataplane):
        shapes = {
            name: dataplane.model_metadata(name, None).inputs[0].shape
            for name in ("four", "range", "auto", "both")
        }
        assert shapes == {"four": [4, 10], "range": [-1, 10], "auto": [-1, 10], "both": [2, 10]}
        x = np.arange(40, dtype=np.float32).reshape(4, 10)
        assert (await infer(dataplane, "four", x))["a"].tolist() == (x + 1).tolist()
        assert (await infer(dataplane, "range", x))["a"].tolist() == (x + 1).tolist()
        assert await infer_error(dataplane, "range", np.zeros((9, 10), np.float32)) == (
            "Invalid input batch size - Expected: [1~8]; Actual: 9; input name: b"
        )
        assert (await infer(dataplane, "auto", np.zeros((13, 10), np.float32)))["a"].shape == (
            13,
            10,
        )

    run(configs, scenario)


def test_layout_transposes_client_data(models):
    configs = [shaped(models, "nhwc", "channels", layout=LayoutSetting.parse("NHWC:NCHW"))]

    async def scenario(_manager, dataplane):
        metadata = dataplane.model_metadata("nhwc", None)
        assert (metadata.inputs[0].shape, metadata.inputs[0].layout) == ([1, 2, 2, 3], "NHWC")
        nhwc = np.arange(12, dtype=np.float32).reshape(1, 2, 2, 3)
        output = (await infer(dataplane, "nhwc", nhwc, "x"))["y"]
        expected = nhwc.transpose(0, 3, 1, 2) * CHANNEL_SCALE.reshape(1, 3, 1, 1)
        assert output.tolist() == expected.tolist()

    run(configs, scenario)


def test_mapping_config_renames_and_shape_uses_the_mapped_name(models):
    configs = [
        shaped(models, "mapped", "mapped", shape=ShapeSetting.parse({"in": "(3,10)"})),
        shaped(models, "real_name", "mapped", shape=ShapeSetting.parse({"b": "(3,10)"})),
        shaped(models, "unknown", "static", shape=ShapeSetting.parse({"zz": "(3,10)"})),
    ]

    async def scenario(manager, dataplane):
        metadata = dataplane.model_metadata("mapped", None)
        assert [(t.name, t.shape) for t in metadata.inputs] == [("in", [3, 10])]
        assert [t.name for t in metadata.outputs] == ["out"]
        x = np.ones((3, 10), np.float32)
        assert (await infer(dataplane, "mapped", x, "in"))["out"].tolist() == (x + 1).tolist()
        failures = {
            name: (manager.get(name).versions[1].state.name, manager.get(name).versions[1].error)
            for name in ("real_name", "unknown")
        }
        messages = {name: (state, e.message) for name, (state, e) in failures.items()}
        assert messages == {
            "real_name": ("LOADING", f"{MAPPED_BUT_REAL} - b"),
            "unknown": ("LOADING", "Shape from config not found in model - zz"),
        }

    run(configs, scenario)


def test_preprocessing_flags_end_to_end(models):
    args = [
        "--model_name",
        "pre",
        "--model_path",
        str(models / "identity"),
        "--layout",
        "NHWC:NCHW",
        "--precision",
        "uint8:fp32",
        "--color_format",
        "BGR:RGB",
        "--mean",
        "[1,2,3]",
        "--scale",
        "2",
    ]
    http = pytest.importorskip("tritonclient.http")
    with ServerProcess(args) as server:
        client = http.InferenceServerClient(f"127.0.0.1:{server.rest_port}")
        metadata = client.get_model_metadata("pre")
        assert metadata["inputs"] == [{"name": "x", "datatype": "UINT8", "shape": [1, 2, 2, 3]}]
        bgr = np.arange(12, dtype=np.uint8).reshape(1, 2, 2, 3) * 10
        tensor = http.InferInput("x", [1, 2, 2, 3], "UINT8")
        tensor.set_data_from_numpy(bgr)
        output = client.infer("pre", [tensor]).as_numpy("y")
        client.close()
    rgb = bgr[..., ::-1].astype(np.float32)
    expected = ((rgb - np.array([1, 2, 3], dtype=np.float32)) / 2).transpose(0, 3, 1, 2)
    assert output.tolist() == expected.tolist()
