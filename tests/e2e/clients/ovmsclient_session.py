"""Run ovmsclient's gRPC client, unmodified, against a server and print what it saw as JSON.

Usage: python ovmsclient_session.py HOST:PORT (in its own process, as a user would run it).
"""

import json
import sys

import numpy as np
import ovmsclient


def main(url):
    client = ovmsclient.make_grpc_client(url)
    seen = {
        "status": client.get_model_status("dummy"),
        "status_v1": client.get_model_status("dummy", model_version=1),
        "metadata": client.get_model_metadata("dummy"),
    }
    values = np.arange(10, dtype=np.float32).reshape(1, 10)
    seen["predict"] = client.predict({"b": values}, "dummy").tolist()
    seen["predict_v1"] = client.predict({"b": values}, "dummy", model_version=1).tolist()
    seen["predict_int32"] = client.predict(
        {"b": np.array([[1, 2, 3, 4]], np.int32)}, "int32"
    ).tolist()
    seen["predict_fp16"] = client.predict(
        {"b": np.array([[1.0, 2.5, -3.0]], np.float16)}, "fp16"
    ).tolist()
    seen["predict_strings"] = [
        v.decode() for v in client.predict({"text": [b"ab", b"cd"]}, "strings")
    ]
    errors = {}
    for name, call in {
        "unknown_model": lambda: client.get_model_status("nope"),
        "unknown_version": lambda: client.get_model_metadata("dummy", model_version=9),
        "bad_shape": lambda: client.predict({"b": np.zeros((1, 3), np.float32)}, "dummy"),
    }.items():
        try:
            call()
        except Exception as error:  # ovmsclient raises its own error classes
            errors[name] = {"type": type(error).__name__, "text": str(error)}
    seen["errors"] = errors
    print(json.dumps(seen, default=str))


if __name__ == "__main__":
    main(sys.argv[1])
