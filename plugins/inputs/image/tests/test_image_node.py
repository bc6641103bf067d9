import json

import cv2
import numpy as np
import openvino as ov
import openvino.opset13 as ops
import pytest
import tritonclient.http as http
from ovms_image import ImageNodeDriver
from ovms_testing.contracts import NodeContract
from ovms_testing.models import save_version
from ovms_testing.server import ServerProcess
from tritonclient.utils import InferenceServerException

from ovms_core import NodeSpec, OvmsError
from ovms_core.plugins.drivers import DriverLoader


def picture(width=6, height=4, seed=0):
    """A lossless PNG with random pixels, and its RGB pixels."""
    pixels = np.random.default_rng(seed).integers(0, 256, (height, width, 3), dtype=np.uint8)
    ok, data = cv2.imencode(".png", pixels[:, :, ::-1])
    assert ok
    return data.tobytes(), pixels


def node(**params):
    return ImageNodeDriver().create(NodeSpec("p", "image", "image", params))


def batch(*encoded):
    array = np.empty(len(encoded), dtype=object)
    array[:] = list(encoded)
    return {"image": array}


class TestImageNodeContract(NodeContract):
    @pytest.fixture
    def driver(self):
        return ImageNodeDriver()

    @pytest.fixture
    def spec(self):
        return NodeSpec("p", "image", "image", {"resize_width": "5", "resize_height": "3"})

    @pytest.fixture
    def inputs(self):
        return batch(picture()[0], picture(seed=1)[0])


def test_registered_as_image_driver():
    assert isinstance(DriverLoader().get("node", "image"), ImageNodeDriver)


def test_default_is_rgb_nhwc_float():
    encoded, pixels = picture()
    result = node().execute(batch(encoded))["image"]
    assert result.dtype == np.float32
    np.testing.assert_array_equal(result, pixels[np.newaxis].astype(np.float32))


def test_bgr_nchw_mean_and_scale():
    encoded, pixels = picture()
    result = node(
        color_order="BGR", layout="NCHW", mean="1,2,3", scale="2", datatype="FP32"
    ).execute(batch(encoded))["image"]
    expected = (pixels[:, :, ::-1].astype(np.float32) - [1, 2, 3]) / 2
    np.testing.assert_array_equal(result, expected.transpose(2, 0, 1)[np.newaxis])


def test_resize_then_centre_crop_matches_opencv():
    encoded, pixels = picture(16, 12)
    result = node(
        resize_width="8", resize_height="6", crop_width="4", crop_height="2", datatype="UINT8"
    ).execute(batch(encoded))["image"]
    resized = cv2.resize(pixels, (8, 6), interpolation=cv2.INTER_LINEAR)
    np.testing.assert_array_equal(result[0], resized[2:4, 2:6])
    assert node(crop_width="4", crop_height="2").outputs_info()[0].shape == [-1, 2, 4, 3]


def test_gray_has_one_channel():
    encoded, pixels = picture()
    result = node(color_order="GRAY", datatype="UINT8").execute(batch(encoded))["image"]
    expected = cv2.cvtColor(pixels, cv2.COLOR_RGB2GRAY)[:, :, np.newaxis]
    np.testing.assert_allclose(result[0], expected, atol=1)


def test_pictures_of_different_sizes_need_a_resize():
    with pytest.raises(OvmsError) as caught:
        node().execute(batch(picture(6, 4)[0], picture(5, 4)[0]))
    assert caught.value.code.name == "BINARY_IMAGES_RESOLUTION_MISMATCH"
    resized = node(resize_width="3", resize_height="3").execute(
        batch(picture(6, 4)[0], picture(5, 4)[0])
    )
    assert resized["image"].shape == (2, 3, 3, 3)


def test_bytes_that_are_not_a_picture():
    with pytest.raises(OvmsError) as caught:
        node().execute(batch(b"not a picture"))
    assert caught.value.code.name == "IMAGE_PARSING_FAILED"


@pytest.mark.parametrize(
    ("params", "text"),
    [
        ({"resize_width": "4"}, "set both"),
        ({"resize_width": "a", "resize_height": "4"}, "expected integers"),
        ({"layout": "NDHWC"}, "NHWC or NCHW"),
        ({"color_order": "CMYK"}, "RGB, BGR or GRAY"),
        ({"datatype": "BYTES"}, "numeric KServe datatype"),
        ({"mean": "1,2"}, "expected 1 or 3 values"),
        ({"scale": "0"}, "must not be 0"),
        ({"rotate": "90"}, "unknown"),
    ],
)
def test_bad_params_are_refused(params, text):
    with pytest.raises(OvmsError) as caught:
        node(**params)
    assert caught.value.code.name == "NODE_LIBRARY_INITIALIZE_FAILED"
    assert text in caught.value.message


def _channel_mean_model():
    """[N, 4, 4, 3] FP32 -> per-picture channel means [N, 3]."""
    x = ops.parameter([-1, 4, 4, 3], ov.Type.f32, name="pixels")
    mean = ops.reduce_mean(x, ops.constant(np.array([1, 2], dtype=np.int64)), False)
    mean.output(0).set_names({"means"})
    return ov.Model([mean], [x], "channel_mean")


def test_image_node_feeds_a_vision_model(tmp_path):
    save_version(_channel_mean_model(), str(tmp_path / "means"), 1)
    config = {
        "model_config_list": [{"config": {"name": "means", "base_path": "means"}}],
        "pipeline_config_list": [
            {
                "name": "picture_means",
                "inputs": ["picture"],
                "nodes": [
                    {
                        "name": "decode",
                        "type": "image",
                        "params": {"resize_width": "4", "resize_height": "4", "color_order": "BGR"},
                        "inputs": [{"image": {"node_name": "request", "data_item": "picture"}}],
                        "outputs": [{"data_item": "image", "alias": "pixels"}],
                    },
                    {
                        "name": "model",
                        "type": "DL model",
                        "model_name": "means",
                        "inputs": [{"pixels": {"node_name": "decode", "data_item": "pixels"}}],
                        "outputs": [{"data_item": "means", "alias": "means"}],
                    },
                ],
                "outputs": [{"means": {"node_name": "model", "data_item": "means"}}],
            }
        ],
    }
    (tmp_path / "config.json").write_text(json.dumps(config))
    pictures = [picture(4, 4, seed) for seed in range(3)]
    with ServerProcess(["--config_path", str(tmp_path / "config.json")]) as server:
        client = http.InferenceServerClient(f"127.0.0.1:{server.rest_port}")
        metadata = client.get_model_metadata("picture_means")
        assert metadata["inputs"] == [{"name": "picture", "datatype": "BYTES", "shape": [-1]}]
        tensor = http.InferInput("picture", [3], "BYTES")
        tensor.set_data_from_numpy(np.array([p[0] for p in pictures], dtype=object))
        means = client.infer("picture_means", [tensor]).as_numpy("means")
        expected = [
            p[1][:, :, ::-1].reshape(-1, 3).astype(np.float32).mean(axis=0) for p in pictures
        ]
        np.testing.assert_allclose(means, np.stack(expected), rtol=1e-5)
        broken = http.InferInput("picture", [1], "BYTES")
        broken.set_data_from_numpy(np.array([b"garbage"], dtype=object))
        with pytest.raises(InferenceServerException) as caught:
            client.infer("picture_means", [broken])
        assert caught.value.status() == "400"
        assert "Image parsing failed" in str(caught.value)
