"""API keys (``--api_key_file``, ``API_KEY``) on every REST route and every gRPC method.

The REST table must match every route of the application, and the gRPC methods come from the
server's own reflection, so a new route or method cannot be left out of these tests.
"""

import http.client
import json
import time

import grpc
import pytest

pytest.importorskip("ovms_frontend_grpc")
from google.protobuf.descriptor_pool import DescriptorPool
from grpc_reflection.v1alpha.proto_reflection_descriptor_database import (
    ProtoReflectionDescriptorDatabase,
)
from ovms_frontend_grpc.auth import OPEN_METHODS
from ovms_frontend_rest.frontend import build_application
from ovms_testing.server import ServerProcess, free_port

from ovms_core import ServerContext, ServerSettings

KEYS = ("first-key-0123456789", "second-key-abcdef")
KEY_FILE = f"# keys of the test server\n\n{KEYS[0]}\n   {KEYS[1]}  \n# retired-key\n"
UNAUTHORIZED = {"error": "Unauthorized request due to invalid or missing api-key"}
INFER = {"inputs": [{"name": "b", "shape": [1, 10], "datatype": "FP32", "data": [0] * 10}]}

# (method, path, body): at least one row per route of the REST application.
GUARDED = [
    ("GET", "/v2", None),
    ("GET", "/v2/models/dummy", None),
    ("GET", "/v2/models/dummy/versions/1", None),
    ("GET", "/v2/models/dummy/ready", None),
    ("GET", "/v2/models/dummy/versions/1/ready", None),
    ("POST", "/v2/models/dummy/infer", INFER),
    ("POST", "/v2/models/dummy/versions/1/infer", INFER),
    ("POST", "/v2/models/d%75mmy/infer", INFER),  # not the fast path: the tornado route
    ("GET", "/v2/models/stats", None),
    ("POST", "/v2/repository/index", None),
    ("POST", "/v2/repository/models/dummy/load", None),
    ("GET", "/v2/models/dummy/versions/1/stats", None),
    ("GET", "/v1/models/dummy", None),
    ("GET", "/v1/models/dummy/metadata", None),
    ("GET", "/v1/models/dummy/versions/1", None),
    ("POST", "/v1/models/dummy:predict", {"instances": [[0] * 10]}),
    ("POST", "/v1/models/dummy/versions/1:classify", {"instances": [[0] * 10]}),
    ("GET", "/v1/config", None),
    ("POST", "/v1/config/reload", None),
    ("GET", "/metrics", None),
    ("GET", "/no/such/route", None),
]
OPEN = [("GET", "/v2/health/live"), ("GET", "/v2/health/ready"), ("OPTIONS", "/v2/models/dummy")]


def call(port, method, path, body=None, authorization=None):
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    headers = {"Authorization": authorization} if authorization else {}
    try:
        payload = None if body is None else json.dumps(body).encode()
        connection.request(method, path, body=payload, headers=headers)
        reply = connection.getresponse()
        return reply.status, reply.read(), reply.getheader("WWW-Authenticate")
    finally:
        connection.close()


@pytest.fixture(scope="module")
def key_file(tmp_path_factory):
    path = tmp_path_factory.mktemp("keys") / "api_keys.txt"
    path.write_text(KEY_FILE)
    return path


@pytest.fixture(scope="module")
def keyed(config_file, key_file):
    args = ["--config_path", str(config_file), "--port", str(free_port())]
    args += ["--api_key_file", str(key_file), "--metrics_enable"]
    with ServerProcess(args) as running:
        yield running


def test_the_table_covers_every_rest_route():
    context = ServerContext(ServerSettings(), None, None, None, None)  # routes only
    app = build_application(context)
    patterns = [rule.matcher.regex for rule in app.wildcard_router.rules]
    paths = [path.partition("?")[0] for _, path, _ in GUARDED] + [path for _, path in OPEN]
    for pattern in patterns:
        assert any(pattern.fullmatch(path) for path in paths), pattern.pattern


@pytest.mark.parametrize(("method", "path", "body"), GUARDED)
def test_rest_routes_need_a_key(keyed, method, path, body):
    for authorization in (None, "Bearer wrong", f"Basic {KEYS[0]}", KEYS[0], "Bearer"):
        status, answer, challenge = call(keyed.rest_port, method, path, body, authorization)
        assert (status, json.loads(answer), challenge) == (401, UNAUTHORIZED, "Bearer")
    for key in KEYS:
        status, answer, _ = call(keyed.rest_port, method, path, body, f"Bearer {key}")
        assert status != 401, answer


@pytest.mark.parametrize(("method", "path"), OPEN)
def test_health_and_preflight_need_no_key(keyed, method, path):
    assert call(keyed.rest_port, method, path)[0] == 200


def test_the_right_key_infers(keyed):
    status, answer, _ = call(
        keyed.rest_port, "POST", "/v2/models/dummy/infer", INFER, f"bearer {KEYS[1]}"
    )
    assert status == 200
    assert json.loads(answer)["outputs"][0]["data"] == [1.0] * 10


class _Details(grpc.ClientCallDetails):
    pass


def grpc_methods(port):
    """Every method the server's reflection lists: (path, client streaming, server streaming)."""
    with grpc.insecure_channel(f"127.0.0.1:{port}") as channel:
        keyed_channel = grpc.intercept_channel(channel, _StreamMetadata(f"Bearer {KEYS[0]}"))
        database = ProtoReflectionDescriptorDatabase(keyed_channel)
        pool = DescriptorPool(database)
        methods = []
        for name in database.get_services():
            service = pool.FindServiceByName(name)
            for method in service.methods:
                methods.append(
                    (f"/{name}/{method.name}", method.client_streaming, method.server_streaming)
                )
    return methods


class _StreamMetadata(grpc.StreamStreamClientInterceptor):
    """Reflection runs over one bidirectional stream: add ``authorization`` to it."""

    def __init__(self, value):
        self.value = value

    def intercept_stream_stream(self, continuation, details, requests):
        metadata = [*(details.metadata or ()), ("authorization", self.value)]
        fields = ("method", "timeout", "metadata", "credentials", "wait_for_ready", "compression")
        values = {field: getattr(details, field, None) for field in fields}
        values["metadata"] = metadata
        new = _Details()
        for field, value in values.items():
            setattr(new, field, value)
        return continuation(new, requests)


def grpc_code(channel, method, client_streaming, server_streaming, metadata):
    kind = {
        (False, False): channel.unary_unary,
        (False, True): channel.unary_stream,
        (True, False): channel.stream_unary,
        (True, True): channel.stream_stream,
    }[(client_streaming, server_streaming)]
    stub = kind(method)
    request = iter([b""]) if client_streaming else b""
    try:
        answer = stub(request, timeout=5, metadata=metadata)
        if server_streaming:
            for _ in answer:
                break
    except grpc.RpcError as error:
        return error.code()
    return grpc.StatusCode.OK


def test_grpc_methods_need_a_key(keyed):
    methods = grpc_methods(keyed.grpc_port)
    names = {method for method, _, _ in methods}
    assert "/inference.GRPCInferenceService/ModelInfer" in names
    assert "/tensorflow.serving.PredictionService/Predict" in names
    assert names >= OPEN_METHODS
    with grpc.insecure_channel(f"127.0.0.1:{keyed.grpc_port}") as channel:
        for method, client_streaming, server_streaming in methods:
            for metadata in ((), (("authorization", "Bearer wrong"),)):
                code = grpc_code(channel, method, client_streaming, server_streaming, metadata)
                expected = method in OPEN_METHODS
                assert (code != grpc.StatusCode.UNAUTHENTICATED) == expected, (method, code)
            for key in KEYS:
                metadata = (("authorization", f"Bearer {key}"),)
                code = grpc_code(channel, method, client_streaming, server_streaming, metadata)
                assert code != grpc.StatusCode.UNAUTHENTICATED, method


def test_grpc_refusal_text(keyed):
    with grpc.insecure_channel(f"127.0.0.1:{keyed.grpc_port}") as channel:
        stub = channel.unary_unary("/inference.GRPCInferenceService/ServerMetadata")
        with pytest.raises(grpc.RpcError) as caught:
            stub(b"", timeout=5)
    assert caught.value.code() == grpc.StatusCode.UNAUTHENTICATED
    assert caught.value.details() == UNAUTHORIZED["error"]


def test_a_rotated_key_file_is_reread(keyed, key_file):
    new_key = "rotated-key-42"
    key_file.write_text(f"{new_key}\n{KEYS[1]}\n")
    try:
        deadline = time.monotonic() + 30
        while call(keyed.rest_port, "GET", "/v2", None, f"Bearer {new_key}")[0] == 401:
            assert time.monotonic() < deadline, "the new key was never accepted"
            time.sleep(0.1)
        assert call(keyed.rest_port, "GET", "/v2", None, f"Bearer {KEYS[0]}")[0] == 401
        assert call(keyed.rest_port, "GET", "/v2", None, f"Bearer {KEYS[1]}")[0] == 200
    finally:
        key_file.write_text(KEY_FILE)
        deadline = time.monotonic() + 30
        while call(keyed.rest_port, "GET", "/v2", None, f"Bearer {KEYS[0]}")[0] == 401:
            assert time.monotonic() < deadline
            time.sleep(0.1)


def test_api_key_variable_and_open_metrics(config_file):
    args = ["--config_path", str(config_file), "--metrics_enable"]
    args += ["--metrics_require_api_key", "false"]
    with ServerProcess(args, env={"API_KEY": "from-the-environment"}) as running:
        assert call(running.rest_port, "GET", "/metrics")[0] == 200
        assert call(running.rest_port, "GET", "/v2")[0] == 401
        assert call(running.rest_port, "GET", "/v2", None, "Bearer from-the-environment")[0] == 200


@pytest.mark.parametrize(
    ("content", "message"),
    [(None, "Cannot read the API key file"), ("# only a comment\n\n", "holds no key")],
)
def test_a_bad_key_file_stops_start_up(config_file, tmp_path, content, message):
    path = tmp_path / "keys.txt"
    if content is not None:
        path.write_text(content)
    args = ["--config_path", str(config_file), "--api_key_file", str(path)]
    server = ServerProcess(args, wait_ready=False)
    with server:
        assert server.process.wait(timeout=60) == 1
        assert message in server.log()
