"""Send encoded images and strings as BYTES through tritonclient.grpc; print outputs as JSON.

Usage: python tritonclient_grpc_images.py HOST:PORT REQUESTS.json, where the file maps a key
to ``{"model": ..., "files": [paths], "output": ...}``; each key's files go in one request as a
BYTES input named like the model's input (``image``, or ``text`` for the ``strings`` model).
Runs in its own process: tritonclient's ``inference`` stubs cannot share one with the server's.
"""

import json
import sys

import numpy as np
import tritonclient.grpc as grpcclient
from tritonclient.utils import InferenceServerException


def main(url, requests_path):
    with open(requests_path) as file:
        requests = json.load(file)
    client = grpcclient.InferenceServerClient(url)
    seen = {}
    for key, spec in requests.items():
        items = []
        for path in spec["files"]:
            with open(path, "rb") as file:
                items.append(file.read())
        name = "text" if spec["model"] == "strings" else "image"
        tensor = grpcclient.InferInput(name, [len(items)], "BYTES")
        tensor.set_data_from_numpy(np.array(items, dtype=object))
        try:
            result = client.infer(spec["model"], [tensor])
        except InferenceServerException as error:
            seen[key] = {"status": error.status(), "message": error.message()}
            continue
        data = result.as_numpy(spec["output"])
        if data.dtype == object:
            seen[key] = [item.decode("latin-1") for item in data.reshape(-1)]
        else:
            seen[key] = data.tolist()
    client.close()
    print(json.dumps(seen))


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2])
