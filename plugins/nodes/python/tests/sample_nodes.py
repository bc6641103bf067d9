"""Python nodes used by the tests (imported by the server through PYTHONPATH)."""

import numpy as np


class Scale:
    """y = x * factor (param, default 2) for FP32 [-1, 10]."""

    inputs = {"x": ("FP32", [-1, 10])}
    outputs = {"y": ("FP32", [-1, 10])}

    def initialize(self, params):
        self.factor = float(params.get("factor", "2"))
        self.finalized = False

    def execute(self, inputs):
        return {"y": inputs["x"] * np.float32(self.factor)}

    def finalize(self):
        self.finalized = True


class Rows:
    """Splits [n, 10] into [n, 1, 10] for demultiplexing; also returns the row count."""

    inputs = {"x": ("FP32", [-1, 10])}
    outputs = {"rows": ("FP32", [-1, 1, 10]), "count": ("INT64", [1])}

    def execute(self, inputs):
        x = inputs["x"]
        return {"rows": x[:, None, :], "count": np.array([len(x)], np.int64)}


class Describe:
    """Strings out: the shape of x as text (BYTES)."""

    inputs = {"x": ("FP32", [-1, -1])}
    outputs = {"text": ("BYTES", [1])}

    def execute(self, inputs):
        return {"text": np.array([str(inputs["x"].shape).encode()], dtype=object)}


class Configured:
    """Declares its ports from params: width (default 4)."""

    def initialize(self, params):
        width = int(params.get("width", "4"))
        self.inputs = {"x": ("INT32", [-1, width])}
        self.outputs = {"y": ("INT32", [-1, width])}

    def execute(self, inputs):
        return {"y": inputs["x"] + 1}


class Raises:
    inputs = {"x": ("FP32", [-1, 10])}
    outputs = {"y": ("FP32", [-1, 10])}

    def execute(self, inputs):
        raise ValueError("this node always fails")


class FailsToStart:
    def initialize(self, params):
        raise RuntimeError("no configuration")


class NoExecute:
    inputs = {}
    outputs = {}


class BadPorts:
    inputs = {"x": "FP32"}
    outputs = {}

    def execute(self, inputs):
        return {}
