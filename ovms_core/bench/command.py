"""The ``ovms bench`` command."""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Mapping
from typing import Any

import numpy as np
import openvino as ov

from ovms_core.bench.http_load import build_post, measure_http
from ovms_core.bench.inprocess import measure_in_process
from ovms_core.bench.modes import BenchMode, BenchTarget, measure_calls
from ovms_core.bench.stats import Measurement
from ovms_core.models.files import find_model_file

__all__ = ["add_bench_parser", "run_bench"]

MODES = ("rest-json", "rest-binary")


def add_bench_parser(commands: Any, plugin_modes: Mapping[str, BenchMode] | None = None) -> None:
    """Register ``ovms bench``; ``plugin_modes`` come from the ``ovms_bench_modes`` hook."""
    plugin_modes = dict(plugin_modes or {})
    all_modes = (*MODES, *sorted(plugin_modes))
    bench = commands.add_parser(
        "bench",
        help="measure server throughput against in-process OpenVINO",
        description=(
            "Start a server for one model (or use --rest_url), measure in-process OpenVINO "
            "throughput for the same model and settings, then the server's throughput over "
            "each mode, and print the ratios. All figures come from this one run."
        ),
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
    bench.add_argument("--rest_url", default="", help="host:port of a running server to use")
    bench.add_argument(
        "--grpc_url", default="", help="host:port of that server's gRPC port (gRPC modes)"
    )
    bench.set_defaults(plugin_modes=plugin_modes)
    bench.add_argument("--json", default="", help="also write the results to this JSON file")


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
    return {
        "rest-json": build_post(host, port, path, as_json, {"Content-Type": "application/json"}),
        "rest-binary": build_post(
            host,
            port,
            path,
            binary,
            {"Inference-Header-Content-Length": str(len(header))},
        ),
    }


def _wait_ready(host: str, port: int, process: subprocess.Popen[bytes] | None) -> None:
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        if process is not None and process.poll() is not None:
            raise SystemExit("the server exited during start-up; see its log above")
        try:
            with urllib.request.urlopen(f"http://{host}:{port}/v2/health/ready", timeout=1):
                return
        except OSError:
            time.sleep(0.2)
    raise SystemExit("the server did not become ready within 120 s")


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
    wants_grpc = any(plugin_modes[m].frontend == "grpc" for m in modes if m in plugin_modes)
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
        grpc_flags = ["--port", str(grpc_port), "--grpc_bind_address", host] if grpc_port else []
        process = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "ovms_core",
                "serve",
                "--model_name",
                args.model_name,
                "--model_path",
                args.model_path,
                "--rest_port",
                str(port),
                "--rest_bind_address",
                host,
                "--plugin_config",
                args.plugin_config,
                "--log_level",
                "WARNING",
                "--file_system_poll_wait_seconds",
                "0",
                *grpc_flags,
            ]
        )
    results: list[dict[str, Any]] = []
    try:
        _wait_ready(host, port, process)
        payloads = _payloads(args.model_name, inputs, host, port)
        target = BenchTarget(host, port, grpc_port, args.model_name, inputs)
        for concurrency in concurrencies:
            ceiling = measure_in_process(
                model_file, inputs, properties, concurrency, args.warmup, args.duration
            )
            _report(ceiling, None)
            results.append(dict(ceiling.to_json(), ratio=1.0))
            for mode in modes:
                if mode in plugin_modes:
                    with plugin_modes[mode].connect(target, concurrency) as calls:
                        measured = measure_calls(
                            f"server {mode}", calls, args.warmup, args.duration
                        )
                else:
                    measured = asyncio.run(
                        measure_http(
                            f"server {mode}",
                            host,
                            port,
                            payloads[mode],
                            concurrency,
                            args.warmup,
                            args.duration,
                        )
                    )
                ratio = measured.throughput / ceiling.throughput if ceiling.throughput else 0.0
                _report(measured, ratio)
                results.append(dict(measured.to_json(), ratio=ratio))
    finally:
        if process is not None:
            process.terminate()
            process.wait(timeout=30)
    if args.json:
        with open(args.json, "w", encoding="utf-8") as handle:
            json.dump({"model_path": args.model_path, "results": results}, handle, indent=2)
    return 0


def _report(measured: Measurement, ratio: float | None) -> None:
    ratio_text = "" if ratio is None else f"  ratio to in-process {ratio:.3f}"
    print(
        f"{measured.name:<26} c={measured.concurrency:<3} {measured.throughput:9.1f} req/s  "
        f"p50 {measured.p50_ms:7.2f} ms  p90 {measured.p90_ms:7.2f} ms  "
        f"p99 {measured.p99_ms:7.2f} ms"
        f"  errors {measured.errors}{ratio_text}",
        flush=True,
    )
