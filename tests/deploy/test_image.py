"""The container image: built offline with podman from a local base, run as OVMS's image is."""

from __future__ import annotations

import json
import os
import pathlib
import shutil
import subprocess
import sys
import tempfile
import time
import urllib.request
from collections.abc import Iterator

import numpy as np
import pytest
import tritonclient.grpc as grpcclient
import tritonclient.http as httpclient
from ovms_testing.models import dummy_model, save_version
from ovms_testing.server import free_port

ROOT = pathlib.Path(__file__).resolve().parents[2]
BASE = "localhost/ovms-base:bookworm"
IMAGE = "localhost/ovms-py:test"
ENV = dict(os.environ, CONTAINERS_CONF=str(ROOT / "deploy" / "containers.conf"))


def _podman(*args: str, check: bool = True) -> subprocess.CompletedProcess[str]:
    return subprocess.run(["podman", *args], env=ENV, check=check, capture_output=True, text=True)


@pytest.fixture(scope="module")
def image() -> Iterator[str]:
    """Set up podman and the base (deploy/setup.sh), then build the image from this checkout."""
    if shutil.which("podman") is None and os.geteuid() != 0:
        pytest.skip("podman is not installed and installing it needs root")
    subprocess.run(["bash", str(ROOT / "deploy" / "setup.sh")], check=True)
    if _podman("info", check=False).returncode != 0:
        pytest.skip(f"podman cannot run here: {_podman('info', check=False).stderr.strip()}")
    started = time.monotonic()
    subprocess.run(
        ["bash", str(ROOT / "deploy" / "build-image.sh"), IMAGE],
        env=dict(ENV, BASE_IMAGE=BASE, PYTHON=sys.executable),
        check=True,
    )
    size = int(_podman("image", "inspect", "--format", "{{.Size}}", IMAGE).stdout)
    print(f"image built in {time.monotonic() - started:.0f} s, size {size / 1e6:.0f} MB")
    yield IMAGE
    _podman("rmi", "--force", IMAGE, check=False)


@pytest.fixture(scope="module")
def models() -> Iterator[pathlib.Path]:
    """A model repository that uid 5000 can read (pytest's tmp_path is root's alone)."""
    root = pathlib.Path(tempfile.mkdtemp(prefix="ovms-image-models-"))
    save_version(dummy_model(), str(root / "resnet"), 1)
    model = {"name": "cfg", "base_path": "/models/resnet"}
    (root / "config.json").write_text(json.dumps({"model_config_list": [{"config": model}]}))
    for path in [root, *root.rglob("*")]:
        path.chmod(0o755 if path.is_dir() else 0o644)
    yield root
    shutil.rmtree(root)


class Container:
    """``podman run -d --network=host --read-only`` of the image with OVMS flags."""

    def __init__(self, image: str, models: pathlib.Path, args: list[str]) -> None:
        self.rest_port, self.grpc_port = free_port(), free_port()
        flags = [*args, "--port", str(self.grpc_port), "--rest_port", str(self.rest_port)]
        flags += ["--grpc_bind_address", "127.0.0.1", "--rest_bind_address", "127.0.0.1"]
        self.id = _podman(
            "run",
            "-d",
            "--network=host",
            "--read-only",
            "-v",
            f"{models}:/models:ro",
            image,
            *flags,
        ).stdout.strip()
        deadline = time.monotonic() + 120
        while time.monotonic() < deadline:
            try:
                url = f"http://127.0.0.1:{self.rest_port}/v2/health/ready"
                with urllib.request.urlopen(url, timeout=1) as reply:
                    if reply.status == 200:
                        return
            except OSError:
                time.sleep(0.2)
        raise RuntimeError(f"container not ready:\n{self.logs()}")

    def logs(self) -> str:
        """What the server printed."""
        result = _podman("logs", self.id, check=False)
        return result.stdout + result.stderr

    def remove(self) -> None:
        """Remove the container, stopped or not."""
        _podman("rm", "-f", "-t", "0", self.id, check=False)


@pytest.fixture(scope="module")
def container(image: str, models: pathlib.Path) -> Iterator[Container]:
    running = Container(image, models, ["--model_name", "resnet", "--model_path", "/models/resnet"])
    yield running
    running.remove()


def test_container_serves_rest_and_grpc(container: Container) -> None:
    data = np.arange(10, dtype=np.float32).reshape(1, 10)
    rest = httpclient.InferenceServerClient(f"127.0.0.1:{container.rest_port}")
    tensor = httpclient.InferInput("b", [1, 10], "FP32")
    tensor.set_data_from_numpy(data)
    np.testing.assert_array_equal(rest.infer("resnet", [tensor]).as_numpy("a"), data + 1)
    grpc = grpcclient.InferenceServerClient(f"127.0.0.1:{container.grpc_port}")
    tensor = grpcclient.InferInput("b", [1, 10], "FP32")
    tensor.set_data_from_numpy(data)
    np.testing.assert_array_equal(grpc.infer("resnet", [tensor]).as_numpy("a"), data + 1)
    grpc.close()


def test_container_runs_as_uid_5000_on_a_read_only_root(container: Container) -> None:
    assert _podman("exec", container.id, "id", "-u").stdout.strip() == "5000"
    written = _podman("exec", container.id, "touch", "/opt/ovms/probe", check=False)
    assert written.returncode != 0
    assert "Read-only file system" in written.stderr


def test_container_serves_a_config_file(image: str, models: pathlib.Path) -> None:
    running = Container(image, models, ["--config_path", "/models/config.json"])
    try:
        rest = httpclient.InferenceServerClient(f"127.0.0.1:{running.rest_port}")
        assert rest.is_model_ready("cfg")
    finally:
        running.remove()


def test_sigterm_to_pid_1_drains_and_exits_cleanly(image: str, models: pathlib.Path) -> None:
    """No ``--init``: ovms is PID 1 and handles SIGTERM itself (exit 0, not a SIGKILL)."""
    running = Container(image, models, ["--model_name", "resnet", "--model_path", "/models/resnet"])
    try:
        started = time.monotonic()
        _podman("stop", "-t", "10", running.id)
        print(f"podman stop -t 10 returned in {time.monotonic() - started:.1f} s")
        state = _podman("inspect", "--format", "{{.State.ExitCode}}", running.id).stdout
        assert state.strip() == "0", running.logs()
    finally:
        running.remove()
