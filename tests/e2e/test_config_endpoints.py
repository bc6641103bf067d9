"""GET /v1/config and POST /v1/config/reload on a server whose config file the tests rewrite."""

import http.client
import json

import pytest
from ovms_testing.models import add_two_inputs_model, dummy_model, save_version
from ovms_testing.server import ServerProcess
from prometheus_client.parser import text_string_to_metric_families

AVAILABLE = {"state": "AVAILABLE", "status": {"error_code": "OK", "error_message": "OK"}}
CONFIG_FAILED = "Reloading config file failed. Check server logs for more info."


def call(server, method, path):
    connection = http.client.HTTPConnection("127.0.0.1", server.rest_port, timeout=60)
    try:
        connection.request(method, path, body=b"" if method == "POST" else None)
        reply = connection.getresponse()
        return reply.status, reply.read().decode()
    finally:
        connection.close()


def write_config(path, *names):
    models = [{"config": {"name": name, "base_path": name}} for name in names]
    path.write_text(json.dumps({"model_config_list": models}))


def versions(document, name):
    return [(s["version"], s["state"]) for s in document[name]["model_version_status"]]


@pytest.fixture(scope="module")
def setup(tmp_path_factory):
    root = tmp_path_factory.mktemp("reload")
    save_version(dummy_model(), str(root / "dummy"), 1)
    save_version(add_two_inputs_model(), str(root / "add_two"), 1)
    config = root / "config.json"
    write_config(config, "dummy")
    args = ["--config_path", str(config), "--file_system_poll_wait_seconds", "0"]
    with ServerProcess([*args, "--metrics_enable"]) as server:
        yield server, root, config


def test_config_status(setup):
    server, _, _ = setup
    status, body = call(server, "GET", "/v1/config")
    assert status == 200
    assert body.startswith('{\n"dummy" : \n{\n "model_version_status": [\n  {\n   "version": "1"')
    assert json.loads(body) == {"dummy": {"model_version_status": [{"version": "1", **AVAILABLE}]}}


def test_reload_without_change_answers_200_with_statuses(setup):
    server, _, _ = setup
    status, body = call(server, "POST", "/v1/config/reload")
    assert status == 200
    assert versions(json.loads(body), "dummy") == [("1", "AVAILABLE")]


def test_reload_picks_up_config_and_version_changes(setup):
    server, root, config = setup
    write_config(config, "dummy", "add_two")
    status, body = call(server, "POST", "/v1/config/reload")
    assert status == 200
    assert versions(json.loads(body), "add_two") == [("1", "AVAILABLE")]
    save_version(dummy_model(), str(root / "dummy"), 2)  # polling is off: only reload sees it
    status, body = call(server, "POST", "/v1/config/reload")
    assert status == 200
    assert versions(json.loads(body), "dummy") == [("1", "END"), ("2", "AVAILABLE")]


@pytest.mark.parametrize(
    ("content", "status", "error"),
    [
        ("{not json", 412, CONFIG_FAILED),
        ('{"model_config_list": [], "unknown_key": 1}', 412, CONFIG_FAILED),
        (None, 500, "Config file not found or cannot open."),
    ],
    ids=["malformed", "schema", "missing"],
)
def test_reload_errors_keep_serving(setup, content, status, error):
    server, _, config = setup
    saved = config.read_text()
    try:
        if content is None:
            config.unlink()
        else:
            config.write_text(content)
        got_status, body = call(server, "POST", "/v1/config/reload")
        assert (got_status, body) == (status, '{\n\t"error": "' + error + '"\n}')
        assert json.loads(body) == {"error": error}
        assert call(server, "GET", "/v2/models/dummy/ready")[0] == 200
    finally:
        config.write_text(saved)
    assert call(server, "POST", "/v1/config/reload")[0] == 200


@pytest.mark.parametrize(("method", "path"), [("GET", "/v1/config/reload"), ("POST", "/v1/config")])
def test_wrong_method_is_406(setup, method, path):
    server, _, _ = setup
    assert call(server, method, path) == (406, '{"error":"Unsupported method"}')


def test_metrics_flag_enables_the_default_families(setup):
    server, _, _ = setup
    status, text = call(server, "GET", "/metrics")
    assert status == 200
    names = {f.name for f in text_string_to_metric_families(text)}
    assert names == {
        "ovms_requests_success",
        "ovms_requests_fail",
        "ovms_request_time_us",
        "ovms_inference_time_us",
        "ovms_wait_for_infer_req_time_us",
        "ovms_streams",
        "ovms_current_requests",
    }
