"""Run sequences of the stateful model ``sum`` through tritonclient.grpc; print them as JSON.

Usage: python tritonclient_grpc_sequences.py HOST:PORT. Runs in its own process: tritonclient's
``inference`` stubs cannot share a process with the server's.
"""

import json
import sys

import numpy as np
import tritonclient.grpc as grpcclient
from tritonclient.utils import InferenceServerException


def main(url):
    client = grpcclient.InferenceServerClient(url)

    def send(value, **sequence):
        tensor = grpcclient.InferInput("x", [1, 4], "FP32")
        tensor.set_data_from_numpy(np.full((1, 4), value, np.float32))
        result = client.infer("sum", [tensor], **sequence)
        parameter = result.get_response().parameters["sequence_id"]
        return [float(result.as_numpy("sum")[0, 0]), parameter.int64_param]

    def failure(value, **sequence):
        try:
            send(value, **sequence)
        except InferenceServerException as error:
            return [error.status(), error.message()]
        return None

    seen = {
        "totals": [
            send(1, sequence_id=301, sequence_start=True),
            send(7, sequence_id=302, sequence_start=True),
            send(2, sequence_id=301),
            send(7, sequence_id=302),
            send(3, sequence_id=301, sequence_end=True),
            send(7, sequence_id=302, sequence_end=True),
        ],
        "after_end": failure(1, sequence_id=301),
        "no_id": failure(1),
    }
    send(1, sequence_id=304, sequence_start=True)
    seen["duplicate"] = failure(1, sequence_id=304, sequence_start=True)
    send(1, sequence_id=304, sequence_end=True)
    seen["single"] = [
        send(5, sequence_id=303, sequence_start=True, sequence_end=True),
        send(5, sequence_id=303, sequence_start=True, sequence_end=True),
    ]
    client.close()
    print(json.dumps(seen))


if __name__ == "__main__":
    main(sys.argv[1])
