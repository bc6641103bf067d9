"""Fast static-shape models infer on the event loop's thread; others in OpenVINO's threads."""

import http.client
import json

from ovms_testing.models import dummy_model, save_version
from ovms_testing.server import ServerProcess


def infer(server, name, rows):
    document = {
        "inputs": [
            {"name": "b", "shape": [rows, 10], "datatype": "FP32", "data": [1.0] * 10 * rows}
        ]
    }
    connection = http.client.HTTPConnection("127.0.0.1", server.rest_port, timeout=30)
    connection.request("POST", f"/v2/models/{name}/infer", json.dumps(document).encode())
    reply = connection.getresponse()
    return reply.status, json.loads(reply.read())


def test_the_warm_up_decides_per_model_and_both_paths_answer(tmp_path):
    save_version(dummy_model(), str(tmp_path / "dummy"), 1)
    models = [
        {"name": "static", "base_path": str(tmp_path / "dummy")},
        {"name": "dynamic", "base_path": str(tmp_path / "dummy"), "shape": "(-1,10)"},
    ]
    config = tmp_path / "config.json"
    config.write_text(json.dumps({"model_config_list": [{"config": m} for m in models]}))
    with ServerProcess(["--config_path", str(config), "--log_level", "DEBUG"]) as server:
        for name, rows in (("static", 1), ("dynamic", 3)):
            status, body = infer(server, name, rows)
            assert status == 200, body
            assert body["outputs"][0]["data"] == [2.0] * 10 * rows
        log = server.log()
    assert "Inferences of model static version 1 run on the event loop's thread: True" in log
    assert "Inferences of model dynamic version 1 run on the event loop's thread: False" in log
