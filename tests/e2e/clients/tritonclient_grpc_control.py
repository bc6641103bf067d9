"""Run tritonclient.grpc's model control calls and print what each answered, as JSON.

Usage: python tritonclient_grpc_control.py HOST:PORT MODEL. Loads MODEL, then loads it with a
config override of shape (2,10), then unloads it, reading readiness and metadata between calls;
an exception ends a step with its message. Runs in its own process: tritonclient's ``inference``
stubs cannot share a process with the server's.
"""

import json
import sys

import tritonclient.grpc as grpcclient
from tritonclient.utils import InferenceServerException


def main(url, model):
    answers = {}
    with grpcclient.InferenceServerClient(url) as client:

        def step(name, call):
            try:
                answers[name] = call()
            except InferenceServerException as error:
                answers[name] = {"error": error.message(), "status": error.status()}

        step("load", lambda: client.load_model(model))
        step("ready_after_load", lambda: client.is_model_ready(model))
        step("load_override", lambda: client.load_model(model, config='{"shape": "(2,10)"}'))
        step(
            "shape_after_override",
            lambda: client.get_model_metadata(model, as_json=True)["inputs"][0]["shape"],
        )
        step("bad_override", lambda: client.load_model(model, config='{"nireq": "four"}'))
        step("unload", lambda: client.unload_model(model))
        step("ready_after_unload", lambda: client.is_model_ready(model))
        step("unknown", lambda: client.load_model("nothing"))
    return answers


if __name__ == "__main__":
    print(json.dumps(main(sys.argv[1], sys.argv[2])))
