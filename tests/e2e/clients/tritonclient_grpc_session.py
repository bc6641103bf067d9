"""Run tritonclient.grpc, unmodified, against a server and print what it saw as JSON.

Usage: python tritonclient_grpc_session.py HOST:PORT. Runs in its own process: tritonclient's
``inference`` stubs cannot share a process with the server's.
"""

import json
import queue
import sys

import numpy as np
import tritonclient.grpc as grpcclient
from tritonclient.utils import InferenceServerException


def main(url):
    client = grpcclient.InferenceServerClient(url)
    seen = {
        "live": client.is_server_live(),
        "ready": client.is_server_ready(),
        "model_ready": client.is_model_ready("dummy", "1"),
        "server": client.get_server_metadata(as_json=True),
        "metadata": client.get_model_metadata("dummy", as_json=True),
    }

    values = np.arange(10, dtype=np.float32).reshape(1, 10) * 0.5
    tensor = grpcclient.InferInput("b", [1, 10], "FP32")
    tensor.set_data_from_numpy(values)
    result = client.infer(
        "dummy",
        [tensor],
        model_version="1",
        request_id="triton-1",
        outputs=[grpcclient.InferRequestedOutput("a")],
    )
    seen["infer"] = {
        "a": result.as_numpy("a").tolist(),
        "id": result.get_response().id,
        "version": result.get_response().model_version,
    }

    half = grpcclient.InferInput("b", [1, 3], "FP16")
    half.set_data_from_numpy(np.array([[1.0, 2.5, -3.0]], np.float16))
    result = client.infer("fp16", [half])
    seen["fp16"] = {"a": result.as_numpy("a").tolist(), "dtype": str(result.as_numpy("a").dtype)}

    text = grpcclient.InferInput("text", [2], "BYTES")
    text.set_data_from_numpy(np.array([b"hello", b"world"], dtype=object))
    seen["bytes"] = [v.decode() for v in client.infer("strings", [text]).as_numpy("text")]

    wrong = grpcclient.InferInput("b", [1, 3], "FP32")
    wrong.set_data_from_numpy(np.zeros((1, 3), np.float32))
    try:
        client.infer("dummy", [wrong])
    except InferenceServerException as error:
        seen["error"] = {"status": error.status(), "message": error.message()}

    answers = queue.Queue()
    client.start_stream(callback=lambda result, error: answers.put((result, error)))
    for index, model in enumerate(["dummy", "nope", "dummy"]):
        client.async_stream_infer(model, [tensor], request_id=f"s{index}")
    stream = []
    for _ in range(3):
        result, error = answers.get(timeout=60)
        if error is not None:
            stream.append({"error": error.message()})
        else:
            stream.append({"id": result.get_response().id, "a": result.as_numpy("a").tolist()})
    client.stop_stream()
    seen["stream"] = stream
    client.close()
    print(json.dumps(seen))


if __name__ == "__main__":
    main(sys.argv[1])
