"""Requests/s and server CPU per request of ``ovms serve --workers N`` under wrk.

    python docs/probes/worker_scaling.py MODEL_DIR WORKERS [SECONDS] [WRK_SCRIPT]

Starts ``ovms serve`` for the model (THROUGHPUT hint, REST on a free port), warms up for 2 s,
then runs ``wrk -t1 -c16`` (a C load generator, so it takes little of the cores) for SECONDS
(default 8) with WRK_SCRIPT (default kserve_json.lua beside this file). Prints one JSON line:
requests/s, the cores the server's processes and wrk used (from /proc), the server's CPU
milliseconds per request, each worker's RSS and the load average when it started.
"""

import json
import os
import re
import socket
import subprocess
import sys
import time
import urllib.request

TICK = os.sysconf("SC_CLK_TCK")


def read(path):
    with open(path) as handle:
        return handle.read()


def cpu_seconds(pid):
    fields = read(f"/proc/{pid}/stat").rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / TICK


def rss_mib(pid):
    for line in read(f"/proc/{pid}/status").splitlines():
        if line.startswith("VmRSS"):
            return round(int(line.split()[1]) / 1024)
    return 0


def main():
    model, workers = sys.argv[1], int(sys.argv[2])
    seconds = int(sys.argv[3]) if len(sys.argv) > 3 else 8
    here = os.path.dirname(os.path.abspath(__file__))
    script = sys.argv[4] if len(sys.argv) > 4 else os.path.join(here, "kserve_json.lua")
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    command = [sys.executable, "-m", "ovms_core", "serve", "--model_name", "mlp"]
    command += ["--model_path", model, "--rest_port", str(port), "--log_level", "WARNING"]
    command += ["--rest_bind_address", "127.0.0.1"]
    command += ["--plugin_config", '{"PERFORMANCE_HINT": "THROUGHPUT"}']
    if workers > 1:
        command += ["--workers", str(workers)]
    server = subprocess.Popen(command)
    url = f"http://127.0.0.1:{port}/v2/models/mlp/infer"
    try:
        _wait_ready(port)
        children = read(f"/proc/{server.pid}/task/{server.pid}/children").split()
        pids = [int(pid) for pid in children] or [server.pid]
        load = read("/proc/loadavg").split()[:3]
        warm_up = ["wrk", "-t1", "-c16", "-d2s", "-s", script, url]
        subprocess.run(warm_up, check=False, capture_output=True)
        before = {pid: cpu_seconds(pid) for pid in pids}
        wrk = subprocess.Popen(
            ["wrk", "-t1", "-c16", f"-d{seconds}s", "-s", script, url],
            stdout=subprocess.PIPE,
            text=True,
        )
        window = seconds - 0.5  # read the counters just before wrk ends
        time.sleep(window)
        wrk_cpu = cpu_seconds(wrk.pid)
        server_cpu = sum(cpu_seconds(pid) - before[pid] for pid in pids)
        output = wrk.communicate()[0]
        rate = float(re.search(r"Requests/sec:\s+([\d.]+)", output).group(1))
        report = {
            "workers": workers,
            "requests_per_s": rate,
            "non_2xx": bool(re.search(r"Non-2xx", output)),
            "server_cores": round(server_cpu / window, 2),
            "wrk_cores": round(wrk_cpu / window, 2),
            "server_cpu_ms_per_request": round(server_cpu / window / rate * 1000, 3),
            "rss_mib": [rss_mib(pid) for pid in pids],
            "supervisor_rss_mib": rss_mib(server.pid),
            "loadavg": load,
        }
        print(json.dumps(report))
    finally:
        server.terminate()
        server.wait(60)


def _wait_ready(port):
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{port}/v2/models/mlp/ready") as reply:
                if reply.status == 200:
                    time.sleep(1.0)  # every worker listening
                    return
        except OSError:
            time.sleep(0.1)
    raise RuntimeError("server not ready")


if __name__ == "__main__":
    main()
