"""A condition of the version folders is logged when it starts and when it ends, not per poll."""

import urllib.request

from ovms_testing.models import dummy_model, save_version
from ovms_testing.server import ServerProcess

NO_VERSION = "No version found for model m in path"


def _reload(server):
    request = urllib.request.Request(server.rest_url + "/v1/config/reload", method="POST")
    with urllib.request.urlopen(request, timeout=60) as reply:
        return reply.status


def _ready(server):
    try:
        with urllib.request.urlopen(server.rest_url + "/v2/models/m/ready", timeout=30) as reply:
            return reply.status == 200
    except OSError:
        return False


def test_a_folder_without_versions_is_logged_once_then_its_end(tmp_path):
    folder = tmp_path / "m"
    folder.mkdir()
    flags = ["--model_name", "m", "--model_path", str(folder)]
    with ServerProcess([*flags, "--file_system_poll_wait_seconds", "0"]) as server:
        for _ in range(3):
            assert _reload(server) == 200
        assert server.log().count(NO_VERSION) == 1
        save_version(dummy_model(), str(folder), 1)
        assert _reload(server) == 200
        assert _ready(server)
        log = server.log()
    assert log.count(NO_VERSION) == 2  # the warning, then "No longer the case: ..."
    assert f"No longer the case: {NO_VERSION}" in log
