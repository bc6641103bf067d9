"""Run tritonclient.grpc over TLS and print what it saw as JSON.

Usage: python tritonclient_grpc_tls.py HOST:PORT CA.pem [CLIENT_KEY.pem CLIENT_CHAIN.pem]
Runs in its own process: tritonclient's ``inference`` stubs cannot share a process with the
server's. Prints ``{"a": [...]}`` or ``{"error": status}``.
"""

import json
import sys

import numpy as np
import tritonclient.grpc as grpcclient
from tritonclient.utils import InferenceServerException


def main(url, ca, key=None, chain=None):
    with grpcclient.InferenceServerClient(
        url, ssl=True, root_certificates=ca, private_key=key, certificate_chain=chain
    ) as client:
        tensor = grpcclient.InferInput("b", [1, 10], "FP32")
        tensor.set_data_from_numpy(np.arange(10, dtype=np.float32).reshape(1, 10))
        try:
            result = client.infer("dummy", [tensor], client_timeout=30)
        except InferenceServerException as error:
            return {"error": error.status()}
        return {"a": result.as_numpy("a").tolist()}


if __name__ == "__main__":
    print(json.dumps(main(*sys.argv[1:])))
