"""Run tritonclient.grpc's ``get_model_repository_index`` and print the answers as JSON.

Usage: python tritonclient_grpc_index.py HOST:PORT. Runs in its own process: tritonclient's
``inference`` stubs cannot share a process with the server's.
"""

import json
import sys

import tritonclient.grpc as grpcclient


def main(url):
    with grpcclient.InferenceServerClient(url) as client:
        return client.get_model_repository_index(as_json=True)


if __name__ == "__main__":
    print(json.dumps(main(sys.argv[1])))
