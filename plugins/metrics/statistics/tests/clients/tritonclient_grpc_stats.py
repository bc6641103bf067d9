"""Run tritonclient.grpc's ``get_inference_statistics`` and print the answers as JSON.

Usage: python tritonclient_grpc_stats.py HOST:PORT MODEL. Runs in its own process:
tritonclient's ``inference`` stubs cannot share a process with the server's.
"""

import json
import sys

import tritonclient.grpc as grpcclient
from tritonclient.utils import InferenceServerException


def main(url, model):
    with grpcclient.InferenceServerClient(url) as client:
        seen = {
            "model": client.get_inference_statistics(model, as_json=True),
            "all": client.get_inference_statistics(as_json=True),
        }
        try:
            client.get_inference_statistics("nothing")
        except InferenceServerException as error:
            seen["unknown"] = [error.status(), error.message()]
    return seen


if __name__ == "__main__":
    print(json.dumps(main(*sys.argv[1:])))
