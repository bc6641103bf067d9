"""One bad model entry is skipped (or its bad value ignored) and the others are served."""

import json
import urllib.error
import urllib.request

from ovms_testing.models import dummy_model, save_version
from ovms_testing.server import ServerProcess


def _status(server, path):
    try:
        with urllib.request.urlopen(server.rest_url + path, timeout=30) as reply:
            return reply.status
    except urllib.error.HTTPError as error:
        return error.code


def test_serve_skips_a_bad_shape_and_ignores_a_bad_batch_size(tmp_path):
    save_version(dummy_model(), str(tmp_path / "dummy"), 1)
    entries = [
        {"name": "good", "base_path": "dummy"},
        {"name": "bad_shape", "base_path": "dummy", "shape": "(1,a)"},
        {"name": "bad_batch", "base_path": "dummy", "batch_size": "two"},
    ]
    path = tmp_path / "config.json"
    path.write_text(json.dumps({"model_config_list": [{"config": e} for e in entries]}))
    with ServerProcess(["--config_path", str(path)]) as server:
        assert _status(server, "/v2/models/good/ready") == 200
        assert _status(server, "/v2/models/bad_batch/ready") == 200
        assert _status(server, "/v2/models/bad_shape/ready") == 404
        log = server.log()
    assert "$.model_config_list[1].config.shape: The provided shape is in wrong format" in log
    assert "$.model_config_list[2].config.batch_size: Wrong batch size parameter" in log


def test_serve_starts_with_a_bad_shape_on_the_command_line(ovms_model_repository, ovms_serve):
    folder = ovms_model_repository.add("dummy")
    server = ovms_serve("--model_name", "m", "--model_path", str(folder), "--shape", "(1,a)")
    assert _status(server, "/v2/health/live") == 200
    assert _status(server, "/v2/models/m/ready") == 404
    assert "command line: $.shape: The provided shape is in wrong format" in server.log()
