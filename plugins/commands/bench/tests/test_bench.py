"""``ovms bench``: the references it measures in the same run and what it reports."""

import json
import subprocess
import sys

import pytest


def _bench(repository, tmp_path, *flags):
    report = tmp_path / "bench.json"
    done = subprocess.run(
        [
            sys.executable,
            "-m",
            "ovms_core",
            "bench",
            "--model_path",
            str(repository / "dummy"),
            "--duration",
            "0.3",
            "--warmup",
            "0.1",
            "--json",
            str(report),
            *flags,
        ],
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert done.returncode == 0, done.stdout + done.stderr
    return done.stdout, json.loads(report.read_text())["results"]


def test_concurrency_one_adds_the_synchronous_latency_floor(repository, tmp_path):
    out, rows = _bench(
        repository, tmp_path, "--modes", "rest-binary", "--concurrency", "1", "--no_transport"
    )
    by_mode = {row["mode"]: row for row in rows}
    floor, served = by_mode["in-process-sync"], by_mode["rest-binary"]
    assert floor["requests"] > 0 and served["requests"] > 0 and served["errors"] == 0
    assert served["added_p50_ms"] == served["p50_ms"] - floor["p50_ms"]
    assert served["added_p50_ms"] > 0  # a request over loopback HTTP costs more than a call
    assert f"p50 {served['added_p50_ms']:+.2f} ms over in-process sync" in out


def test_higher_concurrency_has_no_synchronous_floor(repository, tmp_path):
    _, rows = _bench(
        repository, tmp_path, "--modes", "rest-json", "--concurrency", "2", "--no_transport"
    )
    assert "in-process-sync" not in {row["mode"] for row in rows}
    served = next(row for row in rows if row["mode"] == "rest-json")
    assert served["added_p50_ms"] is None and served["ratio_in_process"] > 0


def test_grpc_modes_are_measured(repository, tmp_path):
    pytest.importorskip("ovms_frontend_grpc")
    out, rows = _bench(
        repository, tmp_path, "--modes", "kserve-grpc,tfs-grpc", "--concurrency", "2"
    )
    results = {row["name"]: row for row in rows}
    for mode in ("server kserve-grpc", "server tfs-grpc"):
        assert results[mode]["requests"] > 0
        assert results[mode]["errors"] == 0
        assert mode in out


def test_tls_mode_measures_rest_over_tls(repository, tmp_path):
    trustme = pytest.importorskip("trustme")
    ca = trustme.CA()
    cert = ca.issue_cert("127.0.0.1")
    cert.cert_chain_pems[0].write_to_path(str(tmp_path / "cert.pem"))
    cert.private_key_pem.write_to_path(str(tmp_path / "key.pem"))
    ca.cert_pem.write_to_path(str(tmp_path / "ca.pem"))
    tls = ["--ssl_cert_file", str(tmp_path / "cert.pem"), "--ssl_key_file"]
    tls += [str(tmp_path / "key.pem"), "--ssl_ca_file", str(tmp_path / "ca.pem")]
    out, rows = _bench(repository, tmp_path, "--concurrency", "2", *tls)
    assert "TLS mode" in out
    served = {row["mode"]: row for row in rows if row["name"].startswith("server")}
    assert set(served) == {"rest-json", "rest-binary", "tfs-rest"}  # no gRPC, no echo rows
    for row in served.values():
        assert row["requests"] > 0 and row["errors"] == 0
