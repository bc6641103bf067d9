"""TLS and mutual TLS on both frontends, with certificates made by ``trustme`` at test time."""

import json
import os
import socket
import ssl
import subprocess
import sys
import time

import grpc
import numpy as np
import pytest
import requests
import tritonclient.http as httpclient
import trustme
from ovms_testing.server import ServerProcess, free_port

pytest.importorskip("ovms_frontend_grpc")
ROW = np.arange(10, dtype=np.float32).reshape(1, 10)
CLIENTS = os.path.join(os.path.dirname(__file__), "clients")


class TlsServer(ServerProcess):
    """``ServerProcess`` whose readiness poll speaks TLS (with a client certificate if given)."""

    def __init__(self, args, ca, client=None, **kwargs):
        super().__init__(args, **kwargs)
        self.ca, self.client = ca, client

    def wait_until_ready(self):
        deadline = time.monotonic() + self.ready_timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"server exited with {self.process.returncode}:\n{self.log()}")
            try:
                if https(self, "/v2/health/ready", client=self.client).status_code == 200:
                    return
            except requests.RequestException:
                time.sleep(0.1)
        raise RuntimeError(f"server not ready:\n{self.log()}")


def https(server, path, client=None, **kwargs):
    with server.ca.cert_pem.tempfile() as ca_file:
        if client is None:
            return requests.get(
                f"https://127.0.0.1:{server.rest_port}{path}", verify=ca_file, timeout=10, **kwargs
            )
        with client.private_key_and_cert_chain_pem.tempfile() as cert:
            return requests.get(
                f"https://127.0.0.1:{server.rest_port}{path}",
                verify=ca_file,
                cert=cert,
                timeout=10,
                **kwargs,
            )


@pytest.fixture(scope="module")
def ca():
    return trustme.CA()


@pytest.fixture(scope="module")
def pem_files(ca, tmp_path_factory):
    root = tmp_path_factory.mktemp("tls")
    server_cert = ca.issue_cert("127.0.0.1", "localhost")
    server_cert.cert_chain_pems[0].write_to_path(str(root / "cert.pem"))
    for blob in server_cert.cert_chain_pems[1:]:
        blob.write_to_path(str(root / "cert.pem"), append=True)
    server_cert.private_key_pem.write_to_path(str(root / "key.pem"))
    client_ca = trustme.CA()
    client_ca.cert_pem.write_to_path(str(root / "client_ca.pem"))
    return root, client_ca


def tls_args(config_file, root, mutual=False):
    args = ["--config_path", str(config_file), "--port", str(free_port())]
    args += ["--ssl_cert_file", str(root / "cert.pem"), "--ssl_key_file", str(root / "key.pem")]
    if mutual:
        args += ["--ssl_client_ca_file", str(root / "client_ca.pem")]
    return args


@pytest.fixture(scope="module")
def tls_server(config_file, pem_files, ca):
    with TlsServer(tls_args(config_file, pem_files[0]), ca) as running:
        yield running


@pytest.fixture(scope="module")
def mtls_server(config_file, pem_files, ca):
    client = pem_files[1].issue_cert("client@example.test")
    with TlsServer(tls_args(config_file, pem_files[0], mutual=True), ca, client) as running:
        yield running, client


def triton_http(server, **kwargs):
    with server.ca.cert_pem.tempfile() as ca_file:
        client = httpclient.InferenceServerClient(
            f"127.0.0.1:{server.rest_port}", ssl=True, ssl_options={"ca_certs": ca_file}, **kwargs
        )
        tensor = httpclient.InferInput("b", [1, 10], "FP32")
        tensor.set_data_from_numpy(ROW)
        return client.infer("dummy", [tensor]).as_numpy("a")


def triton_grpc(server, tmp_path, client_cert=None):
    """tritonclient.grpc over TLS, in its own process (its stubs clash with the server's)."""
    server.ca.cert_pem.write_to_path(str(tmp_path / "ca.pem"))
    args = [str(tmp_path / "ca.pem")]
    if client_cert is not None:
        client_cert.private_key_pem.write_to_path(str(tmp_path / "client.key"))
        with open(tmp_path / "client.pem", "wb") as chain:
            chain.write(b"".join(blob.bytes() for blob in client_cert.cert_chain_pems))
        args += [str(tmp_path / "client.key"), str(tmp_path / "client.pem")]
    url = f"127.0.0.1:{server.grpc_port}"
    done = subprocess.run(
        [sys.executable, os.path.join(CLIENTS, "tritonclient_grpc_tls.py"), url, *args],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 0, done.stderr
    seen = json.loads(done.stdout)
    return np.array(seen["a"], np.float32) if "a" in seen else seen["error"]


def grpc_live(server, client_cert=None):
    """ServerLive over a new TLS channel with grpcio (the empty request needs no stubs)."""
    key = chain = None
    if client_cert is not None:
        key = client_cert.private_key_pem.bytes()
        chain = b"".join(blob.bytes() for blob in client_cert.cert_chain_pems)
    credentials = grpc.ssl_channel_credentials(server.ca.cert_pem.bytes(), key, chain)
    with grpc.secure_channel(f"127.0.0.1:{server.grpc_port}", credentials) as channel:
        live = channel.unary_unary("/inference.GRPCInferenceService/ServerLive")
        return live(b"", timeout=10)


def test_tritonclient_over_tls(tls_server, tmp_path):
    np.testing.assert_array_equal(triton_http(tls_server), ROW + 1)
    np.testing.assert_array_equal(triton_grpc(tls_server, tmp_path), ROW + 1)
    assert grpc_live(tls_server) == b"\x08\x01"  # live: true


def test_plaintext_client_fails_cleanly_and_server_goes_on(tls_server):
    with pytest.raises(requests.ConnectionError):
        requests.get(f"http://127.0.0.1:{tls_server.rest_port}/v2/health/ready", timeout=10)
    with grpc.insecure_channel(f"127.0.0.1:{tls_server.grpc_port}") as channel:
        stub = channel.unary_unary("/inference.GRPCInferenceService/ServerLive")
        with pytest.raises(grpc.RpcError) as caught:
            stub(b"", timeout=10)
        assert caught.value.code() == grpc.StatusCode.UNAVAILABLE
    assert https(tls_server, "/v2/health/ready").status_code == 200
    assert grpc_live(tls_server) == b"\x08\x01"


def test_old_protocols_are_refused(tls_server):
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
    context.load_verify_locations(cadata=tls_server.ca.cert_pem.bytes().decode())
    with pytest.warns(DeprecationWarning):  # the point: a client that only speaks TLS 1.1
        context.maximum_version = ssl.TLSVersion.TLSv1_1
    for port in (tls_server.rest_port, tls_server.grpc_port):
        with (
            socket.create_connection(("127.0.0.1", port), timeout=10) as raw,
            pytest.raises(ssl.SSLError),
        ):
            context.wrap_socket(raw, server_hostname="127.0.0.1")


def test_mutual_tls_needs_a_client_certificate(mtls_server, ca, tmp_path):
    server, client = mtls_server
    assert https(server, "/v2/health/ready", client=client).status_code == 200
    np.testing.assert_array_equal(triton_grpc(server, tmp_path, client), ROW + 1)
    assert grpc_live(server, client) == b"\x08\x01"
    with pytest.raises(requests.exceptions.SSLError):
        https(server, "/v2/health/ready")
    stranger = trustme.CA().issue_cert("stranger@example.test")
    with pytest.raises(requests.exceptions.SSLError):
        https(server, "/v2/health/ready", client=stranger)
    for cert in (None, stranger):
        assert triton_grpc(server, tmp_path, cert) == "StatusCode.UNAVAILABLE"
        with pytest.raises(grpc.RpcError) as caught:
            grpc_live(server, cert)
        assert caught.value.code() == grpc.StatusCode.UNAVAILABLE
    assert https(server, "/v2/health/ready", client=client).status_code == 200


def test_a_rotated_certificate_is_used_for_new_connections(config_file, ca, tmp_path):
    first = ca.issue_cert("127.0.0.1")
    first.cert_chain_pems[0].write_to_path(str(tmp_path / "cert.pem"))
    first.private_key_pem.write_to_path(str(tmp_path / "key.pem"))
    with TlsServer(tls_args(config_file, tmp_path), ca) as server:
        serial = served_serial(server.rest_port)
        assert serial == served_serial(server.grpc_port)
        second = ca.issue_cert("127.0.0.1")
        second.private_key_pem.write_to_path(str(tmp_path / "key.pem"))
        second.cert_chain_pems[0].write_to_path(str(tmp_path / "cert.pem"))
        started = time.monotonic()
        for port in (server.rest_port, server.grpc_port):
            while served_serial(port) == serial:
                assert time.monotonic() - started < 30, "the new certificate was never served"
                time.sleep(0.1)
                if port == server.grpc_port:  # gRPC checks at handshakes: make some
                    grpc_live(server)
        print(f"rotation seen on both ports after {time.monotonic() - started:.2f} s")
        np.testing.assert_array_equal(triton_http(server), ROW + 1)
        assert grpc_live(server) == b"\x08\x01"


def served_serial(port):
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
    context.check_hostname = False
    context.verify_mode = ssl.CERT_NONE
    context.set_alpn_protocols(["h2", "http/1.1"])
    with (
        socket.create_connection(("127.0.0.1", port), timeout=10) as raw,
        context.wrap_socket(raw) as tls,
    ):
        return tls.getpeercert(binary_form=True)


@pytest.mark.parametrize(
    ("broken", "message"),
    [
        ("missing", "$.ssl_key_file: Cannot read the file: No such file or directory"),
        ("mismatch", "KEY_VALUES_MISMATCH"),
    ],
)
def test_an_unusable_pair_stops_start_up(config_file, ca, tmp_path, broken, message):
    cert = ca.issue_cert("127.0.0.1")
    cert.cert_chain_pems[0].write_to_path(str(tmp_path / "cert.pem"))
    other = ca.issue_cert("127.0.0.1") if broken == "mismatch" else None
    if other is not None:
        other.private_key_pem.write_to_path(str(tmp_path / "key.pem"))
    server = ServerProcess(tls_args(config_file, tmp_path), wait_ready=False)
    with server:
        assert server.process.wait(timeout=60) == 1
        assert message in server.log()
