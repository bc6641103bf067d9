"""The ``ovms bench`` command, registered as ``bench`` in ``ovms.commands``."""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import socket
import ssl
import subprocess
import sys
import tempfile
import time
import urllib.request
from collections.abc import Iterator, Mapping
from contextlib import AbstractContextManager, ExitStack, contextmanager
from dataclasses import replace
from typing import TYPE_CHECKING, Any

import numpy as np
import openvino as ov

import ovms_command_bench
from ovms_command_bench.echo import REST_ECHO_MODULE, echo_subprocess, encode_answer
from ovms_command_bench.http_load import build_post, fetch, measure_http
from ovms_command_bench.inprocess import measure_in_process, measure_in_process_sync
from ovms_command_bench.modes import BenchMode, BenchTarget, measure_calls
from ovms_command_bench.stats import Measurement
from ovms_core import Command, find_model_file

if TYPE_CHECKING:
    import pluggy

__all__ = ["BenchCommand", "run_bench"]

MODES = ("rest-json", "rest-binary", "tfs-rest")


class BenchCommand(Command):
    """``ovms bench``: its modes are the REST ones and those of the ``ovms_bench_modes`` hook."""

    help = "measure server throughput against in-process OpenVINO and the bare transport"

    def add_arguments(self, parser: argparse.ArgumentParser, hook: pluggy.HookRelay) -> None:
        """The bench flags, with the modes every plugin adds."""
        modes: dict[str, BenchMode] = {}
        for found in hook.ovms_bench_modes(bench=ovms_command_bench):
            modes.update(found)
        _add_arguments(parser, modes)

    def run(self, args: argparse.Namespace) -> int:
        """Measure and print."""
        return run_bench(args)


def _add_arguments(
    bench: argparse.ArgumentParser, plugin_modes: Mapping[str, BenchMode] | None = None
) -> None:
    """Add the flags of ``ovms bench`` to ``bench``; ``plugin_modes`` are those plugins add."""
    plugin_modes = dict(plugin_modes or {})
    all_modes = (*MODES, *sorted(plugin_modes))
    bench.description = (
        "Start a server for one model (or use --rest_url), then for each concurrency "
        "measure in-process OpenVINO for the same model and settings, the server over each "
        "mode, and an echo server with no model over the same mode (the transport "
        "ceiling), and print the ratios. At concurrency 1 it also measures synchronous "
        "in-process inference and prints the latency each mode adds to its p50. All figures "
        "come from this one run."
    )
    bench.add_argument("--model_path", required=True, help="model folder with version folders")
    bench.add_argument("--model_name", default="bench", help="name to serve the model under")
    bench.add_argument("--concurrency", default="1,4,16", help="comma list of concurrencies")
    bench.add_argument("--duration", type=float, default=10.0, help="seconds measured per point")
    bench.add_argument("--warmup", type=float, default=2.0, help="seconds of warm-up per point")
    bench.add_argument(
        "--modes", default=",".join(all_modes), help=f"comma list of {', '.join(all_modes)}"
    )
    bench.add_argument(
        "--plugin_config",
        default='{"PERFORMANCE_HINT": "THROUGHPUT"}',
        help="OpenVINO properties used by both the server and the in-process reference",
    )
    bench.add_argument(
        "--nireq",
        type=int,
        default=0,
        help="infer requests of the served model (0: the device's optimal number, as serve)",
    )
    bench.add_argument(
        "--dynamic_batching",
        default="",
        metavar="MAX[:DELAY_US]",
        help="serve the model with dynamic batching (max batch size, max queue delay)",
    )
    bench.add_argument(
        "--no_transport", action="store_true", help="skip the echo (transport ceiling) runs"
    )
    bench.add_argument("--rest_url", default="", help="host:port of a running server to use")
    bench.add_argument(
        "--grpc_url", default="", help="host:port of that server's gRPC port (gRPC modes)"
    )
    bench.add_argument(
        "--ssl_cert_file",
        default="",
        help="TLS mode: serve REST over TLS with this PEM certificate (with --ssl_key_file)",
    )
    bench.add_argument("--ssl_key_file", default="", help="TLS mode: the certificate's PEM key")
    bench.add_argument(
        "--ssl_ca_file",
        default="",
        help="TLS mode: CA the client verifies the server with (default: --ssl_cert_file)",
    )
    bench.add_argument("--json", default="", help="also write the results to this JSON file")
    bench.add_argument(
        "--plot",
        default="",
        help="draw throughput and latency to this PNG (ovms-command-bench[plot])",
    )
    bench.set_defaults(plugin_modes=plugin_modes)


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _latest_model_file(model_path: str) -> str:
    versions = sorted(int(n) for n in os.listdir(model_path) if n.isdigit() and int(n) > 0)
    if not versions:
        raise SystemExit(f"no version folder in {model_path}")
    return find_model_file(os.path.join(model_path, str(versions[-1])))


def _random_inputs(model_file: str) -> dict[str, np.ndarray]:
    model = ov.Core().read_model(model_file)
    rng = np.random.default_rng(0)
    inputs = {}
    for port in model.inputs:
        shape = [d.get_length() if d.is_static else 1 for d in port.get_partial_shape()]
        dtype = port.get_element_type().to_dtype()
        inputs[port.get_any_name()] = rng.random(shape).astype(dtype)
    return inputs


_KSERVE_NAMES = {
    "float32": "FP32",
    "float64": "FP64",
    "float16": "FP16",
    "int64": "INT64",
    "int32": "INT32",
    "int8": "INT8",
    "uint8": "UINT8",
    "bool": "BOOL",
}


def _payloads(
    model_name: str, inputs: dict[str, np.ndarray], host: str, port: int
) -> dict[str, bytes]:
    path = f"/v2/models/{model_name}/infer"
    described = [
        {"name": n, "shape": list(a.shape), "datatype": _KSERVE_NAMES[str(a.dtype)]}
        for n, a in inputs.items()
    ]
    as_json = json.dumps(
        {
            "inputs": [
                dict(d, data=a.reshape(-1).tolist())
                for d, a in zip(described, inputs.values(), strict=True)
            ]
        }
    ).encode()
    header = json.dumps(
        {
            "inputs": [
                dict(d, parameters={"binary_data_size": a.nbytes})
                for d, a in zip(described, inputs.values(), strict=True)
            ],
            "parameters": {"binary_data_output": True},
        }
    ).encode()
    binary = header + b"".join(a.tobytes() for a in inputs.values())
    tfs = json.dumps({"inputs": {n: a.tolist() for n, a in inputs.items()}}).encode()
    json_type = {"Content-Type": "application/json"}
    return {
        "rest-json": build_post(host, port, path, as_json, json_type),
        "rest-binary": build_post(
            host, port, path, binary, {"Inference-Header-Content-Length": str(len(header))}
        ),
        "tfs-rest": build_post(host, port, f"/v1/models/{model_name}:predict", tfs, json_type),
    }


def _client_tls(args: argparse.Namespace) -> ssl.SSLContext | None:
    """The client side of the TLS mode (None without ``--ssl_cert_file``)."""
    if not args.ssl_cert_file:
        return None
    return ssl.create_default_context(cafile=args.ssl_ca_file or args.ssl_cert_file)


def _wait_ready(
    host: str, port: int, process: subprocess.Popen[bytes] | None, tls: ssl.SSLContext | None
) -> None:
    scheme = "https" if tls else "http"
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        if process is not None and process.poll() is not None:
            raise SystemExit("the server exited during start-up; see its log above")
        try:
            url = f"{scheme}://{host}:{port}/v2/health/ready"
            with urllib.request.urlopen(url, timeout=1, context=tls):
                return
        except OSError:
            time.sleep(0.2)
    raise SystemExit("the server did not become ready within 120 s")


def _batching_settings(text: str) -> dict[str, int] | None:
    if not text:
        return None
    size, _, delay = text.partition(":")
    return {"max_batch_size": int(size), "max_queue_delay_us": int(delay or 0)}


@contextmanager
def _server(
    args: argparse.Namespace, host: str, port: int, grpc_port: int, folder: str
) -> Iterator[subprocess.Popen[bytes]]:
    """``ovms serve`` for the model, from flags or (dynamic batching) a config.json."""
    batching = _batching_settings(args.dynamic_batching)
    if batching is None:
        model = [
            "--model_name",
            args.model_name,
            "--model_path",
            args.model_path,
            "--plugin_config",
            args.plugin_config,
        ]
        if args.nireq:
            model += ["--nireq", str(args.nireq)]
    else:
        config = {
            "name": args.model_name,
            "base_path": os.path.abspath(args.model_path),
            "plugin_config": json.loads(args.plugin_config),
            "dynamic_batching": batching,
        }
        if args.nireq:
            config["nireq"] = args.nireq
        path = os.path.join(folder, "config.json")
        with open(path, "w", encoding="utf-8") as handle:
            json.dump({"model_config_list": [{"config": config}]}, handle)
        model = ["--config_path", path]
    grpc_flags = ["--port", str(grpc_port), "--grpc_bind_address", host] if grpc_port else []
    if args.ssl_cert_file:
        grpc_flags += ["--ssl_cert_file", args.ssl_cert_file, "--ssl_key_file", args.ssl_key_file]
    process = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "ovms_core",
            "serve",
            *model,
            "--rest_port",
            str(port),
            "--rest_bind_address",
            host,
            "--log_level",
            "WARNING",
            "--file_system_poll_wait_seconds",
            "0",
            *grpc_flags,
        ]
    )
    try:
        yield process
    finally:
        process.terminate()
        process.wait(timeout=30)


class _Run:
    """Measures one mode against one target (the server or its echo)."""

    def __init__(
        self,
        args: argparse.Namespace,
        target: BenchTarget,
        payloads: dict[str, bytes],
        tls: ssl.SSLContext | None = None,
    ):
        self.args = args
        self.target = target
        self.payloads = payloads
        self.tls = tls

    def measure(self, mode: str, name: str, concurrency: int) -> Measurement:
        args, target = self.args, self.target
        plugin_modes: dict[str, BenchMode] = args.plugin_modes
        if mode in plugin_modes:
            with plugin_modes[mode].connect(target, concurrency) as calls:
                return measure_calls(name, calls, args.warmup, args.duration)
        return asyncio.run(
            measure_http(
                name,
                target.host,
                target.rest_port,
                self.payloads[mode],
                concurrency,
                args.warmup,
                args.duration,
                self.tls,
            )
        )


def _echo(
    mode: str, plugin_modes: dict[str, BenchMode], target: BenchTarget, payload: bytes
) -> AbstractContextManager[int] | None:
    if mode in plugin_modes:
        echo = plugin_modes[mode].echo
        return echo(target) if echo is not None else None
    status, headers, body = asyncio.run(fetch(target.host, target.rest_port, payload))
    if status != 200:
        raise SystemExit(f"{mode}: the server answered {status}: {body[:300]!r}")
    return echo_subprocess(REST_ECHO_MODULE, encode_answer(headers, body))


def run_bench(args: argparse.Namespace) -> int:
    """Measure and print; returns the exit code."""
    concurrencies = [int(c) for c in args.concurrency.split(",") if c]
    modes = [m for m in args.modes.split(",") if m]
    plugin_modes: dict[str, BenchMode] = args.plugin_modes
    unknown = set(modes) - set(MODES) - set(plugin_modes)
    if unknown:
        print(f"unknown modes: {', '.join(sorted(unknown))}", file=sys.stderr)
        return 64
    properties = json.loads(args.plugin_config)
    model_file = _latest_model_file(args.model_path)
    inputs = _random_inputs(model_file)
    tls = _client_tls(args)
    if tls is not None:
        if not args.ssl_key_file:
            print("--ssl_cert_file needs --ssl_key_file", file=sys.stderr)
            return 64
        print("TLS mode: the REST modes over TLS, without echo runs (the echoes are plaintext)")
        modes = [m for m in modes if m in MODES]
    wants_grpc = any(plugin_modes[m].frontend == "grpc" for m in modes if m in plugin_modes)
    rows: list[dict[str, Any]] = []
    with ExitStack() as stack:
        process = None
        if args.rest_url:
            host, port_text = args.rest_url.rsplit(":", 1)
            port = int(port_text)
            grpc_port = int(args.grpc_url.rsplit(":", 1)[1]) if args.grpc_url else 0
            if wants_grpc and not grpc_port:
                print("gRPC modes with --rest_url need --grpc_url", file=sys.stderr)
                return 64
        else:
            host, port = "127.0.0.1", _free_port()
            grpc_port = _free_port() if wants_grpc else 0
            folder = stack.enter_context(tempfile.TemporaryDirectory(prefix="ovms-command-bench-"))
            process = stack.enter_context(_server(args, host, port, grpc_port, folder))
        _wait_ready(host, port, process, tls)
        payloads = _payloads(args.model_name, inputs, host, port)
        target = BenchTarget(host, port, grpc_port, args.model_name, inputs)
        server = _Run(args, target, payloads, tls)
        echoes: dict[str, _Run] = {}
        if not args.no_transport and tls is None:  # the echoes are plaintext
            for mode in modes:
                echo = _echo(mode, plugin_modes, target, payloads.get(mode, b""))
                if echo is None:
                    continue
                echo_port = stack.enter_context(echo)
                echo_target = replace(target, rest_port=echo_port, grpc_port=echo_port)
                echo_payloads = _payloads(args.model_name, inputs, host, echo_port)
                echoes[mode] = _Run(args, echo_target, echo_payloads)
        for concurrency in concurrencies:
            ceiling = measure_in_process(
                model_file, inputs, properties, concurrency, args.warmup, args.duration
            )
            _report(ceiling)
            rows.append(dict(ceiling.to_json(), mode="in-process"))
            floor = None
            if concurrency == 1:
                floor = measure_in_process_sync(
                    model_file, inputs, properties, args.warmup, args.duration
                )
                _report(floor)
                rows.append(dict(floor.to_json(), mode="in-process-sync"))
            for mode in modes:
                transport = None
                if mode in echoes:
                    transport = echoes[mode].measure(mode, f"transport {mode}", concurrency)
                    _report(transport)
                    rows.append(dict(transport.to_json(), mode=mode))
                measured = server.measure(mode, f"server {mode}", concurrency)
                ratios = {
                    "ratio_in_process": _ratio(measured, ceiling),
                    "ratio_transport": _ratio(measured, transport) if transport else None,
                    "added_p50_ms": measured.p50_ms - floor.p50_ms if floor else None,
                }
                _report(measured, **ratios)
                rows.append(dict(measured.to_json(), mode=mode, **ratios))
    if args.json:
        with open(args.json, "w", encoding="utf-8") as handle:
            json.dump(
                {
                    "model_path": args.model_path,
                    "plugin_config": properties,
                    "nireq": args.nireq or None,
                    "dynamic_batching": _batching_settings(args.dynamic_batching),
                    "results": rows,
                },
                handle,
                indent=2,
            )
    if args.plot:
        from ovms_command_bench.plot import plot_results

        plot_results(rows, args.plot)
    return 0


def _ratio(measured: Measurement, reference: Measurement) -> float:
    return measured.throughput / reference.throughput if reference.throughput else 0.0


def _report(
    measured: Measurement,
    ratio_in_process: float | None = None,
    ratio_transport: float | None = None,
    added_p50_ms: float | None = None,
) -> None:
    ratios = ""
    if ratio_in_process is not None:
        ratios += f"  x in-process {ratio_in_process:.3f}"
    if ratio_transport is not None:
        ratios += f"  x transport {ratio_transport:.3f}"
    if added_p50_ms is not None:
        ratios += f"  p50 {added_p50_ms:+.2f} ms over in-process sync"
    print(
        f"{measured.name:<24} c={measured.concurrency:<3} {measured.throughput:9.1f} req/s  "
        f"p50 {measured.p50_ms:7.2f}  p90 {measured.p90_ms:7.2f}  p99 {measured.p99_ms:7.2f} ms"
        f"  errors {measured.errors}{ratios}",
        flush=True,
    )
