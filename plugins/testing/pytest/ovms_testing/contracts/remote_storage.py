"""What every remote storage driver must do, checked against an emulator of its service."""

from __future__ import annotations

import json
import logging
import os
import tempfile
import time
import urllib.error
import urllib.request
import uuid
from abc import ABC, abstractmethod
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from ovms_core import OvmsError, RemoteStorage, list_versions
from ovms_testing.contracts.storage import MakeRepository, StorageContract
from ovms_testing.models import dummy_model, save_version
from ovms_testing.server import ServerProcess
from ovms_testing.services import ServiceProcess

__all__ = ["EmulatedStorage", "RemoteStorageContract", "model_files"]

EVENT_TIMEOUT = 60.0


class EmulatedStorage(ABC):
    """A storage service emulator and a client to put files in it, for the contract."""

    scheme: str = ""
    emulator: ServiceProcess

    @property
    @abstractmethod
    def server_env(self) -> dict[str, str]:
        """Environment variables that point the server (and the driver) at the emulator."""

    @property
    @abstractmethod
    def unreachable_env(self) -> dict[str, str]:
        """Environment variables that point at a port where nothing listens."""

    @property
    @abstractmethod
    def bucket(self) -> str:
        """A bucket (container) that ``create_bucket`` makes."""

    @abstractmethod
    def create_bucket(self) -> None:
        """Create ``bucket`` unless it exists (after an emulator restart too)."""

    @abstractmethod
    def upload(self, url: str, files: dict[str, bytes]) -> None:
        """Write ``files`` (relative path -> content) under ``url``."""

    def new_url(self, name: str = "repo") -> str:
        """A fresh, empty base URL in ``bucket``."""
        return f"{self.scheme}://{self.bucket}/{name}-{uuid.uuid4().hex[:8]}"


def model_files(version: int) -> dict[str, bytes]:
    """``<version>/model.xml`` and ``model.bin`` of the dummy model (``a = b + 1``)."""
    with tempfile.TemporaryDirectory() as folder:
        saved = save_version(dummy_model(), folder, version)
        files = {}
        for name in sorted(os.listdir(saved)):
            with open(os.path.join(saved, name), "rb") as handle:
                files[f"{version}/{name}"] = handle.read()
        return files


def wait_for(condition: Callable[[], bool], what: str, timeout: float = EVENT_TIMEOUT) -> None:
    """Poll ``condition`` until it holds; fail naming ``what`` after ``timeout`` seconds."""
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out waiting for: {what}")
        time.sleep(0.2)


def infer_version(server: ServerProcess, model: str) -> str:
    """Run the dummy model over KServe REST; returns the version that answered."""
    body = {"inputs": [{"name": "b", "shape": [1, 10], "datatype": "FP32", "data": [1.0] * 10}]}
    request = urllib.request.Request(
        f"{server.rest_url}/v2/models/{model}/infer",
        data=json.dumps(body).encode(),
        headers={"Content-Type": "application/json"},
    )
    with urllib.request.urlopen(request, timeout=30) as reply:
        answer = json.loads(reply.read())
    assert answer["outputs"][0]["data"] == [2.0] * 10
    return str(answer["model_version"])


def version_ready(server: ServerProcess, model: str, version: int) -> bool:
    """Whether ``/v2/models/<model>/versions/<version>/ready`` answers 200."""
    url = f"{server.rest_url}/v2/models/{model}/versions/{version}/ready"
    try:
        with urllib.request.urlopen(url, timeout=10) as reply:
            return bool(reply.status == 200)
    except urllib.error.HTTPError:
        return False


class RemoteStorageContract(StorageContract):
    """The storage contract plus serving and fault scenarios against an emulator.

    Subclass with fixtures ``storage`` (an ``EmulatedStorage`` whose emulator runs) and
    ``driver_class`` (the ``RemoteStorage`` subclass under test).
    """

    @pytest.fixture
    def driver(
        self,
        storage: EmulatedStorage,
        driver_class: type[RemoteStorage],
        monkeypatch: pytest.MonkeyPatch,
    ) -> Iterator[RemoteStorage]:
        for key, value in storage.server_env.items():
            monkeypatch.setenv(key, value)
        storage.create_bucket()
        made = driver_class()
        yield made
        if made.cache._root is not None:
            assert os.listdir(made.cache.root) == [], "downloads left behind"

    @pytest.fixture
    def make_repository(self, storage: EmulatedStorage) -> MakeRepository:
        def make(files: dict[str, bytes]) -> str:
            url = storage.new_url()
            storage.upload(url, files)
            return url

        return make

    # -- driver faults, in process ------------------------------------------------------------

    def test_missing_bucket_has_its_own_status(
        self, driver: RemoteStorage, storage: EmulatedStorage
    ) -> None:
        url = f"{storage.scheme}://no-such-bucket-{uuid.uuid4().hex[:8]}/model"
        with pytest.raises(OvmsError) as caught:
            list_versions(driver, "m", url)
        assert caught.value.code is driver.errors.bucket_not_found

    def test_url_without_a_bucket_is_invalid(self, driver: RemoteStorage) -> None:
        with pytest.raises(OvmsError) as caught:
            driver.list_dirs(f"{driver.scheme}://")
        assert caught.value.code is driver.errors.path_invalid

    def test_unreachable_endpoint_fails_with_list_status(
        self,
        driver_class: type[RemoteStorage],
        storage: EmulatedStorage,
        monkeypatch: pytest.MonkeyPatch,
    ) -> None:
        for key, value in {**storage.server_env, **storage.unreachable_env}.items():
            monkeypatch.setenv(key, value)
        driver = driver_class()
        with pytest.raises(OvmsError) as caught:
            list_versions(driver, "m", f"{storage.scheme}://{storage.bucket}/model")
        assert caught.value.code is driver.errors.list_failed

    def test_download_is_atomic_and_logs_progress(
        self,
        driver: RemoteStorage,
        make_repository: MakeRepository,
        caplog: pytest.LogCaptureFixture,
    ) -> None:
        url = make_repository({"1/model.bin": b"x" * 3000, "1/model.xml": b"<xml/>"})
        driver.cache.progress_bytes = 1000
        with caplog.at_level(logging.INFO, logger="ovms.storage"):
            local = driver.fetch_dir(driver.join(url, "1"))
        try:
            assert sorted(os.listdir(local)) == ["model.bin", "model.xml"]
            assert os.path.getsize(os.path.join(local, "model.bin")) == 3000
            assert not [n for n in os.listdir(driver.cache.root) if n.startswith(".partial")]
        finally:
            driver.release_dir(local)
        assert not os.path.exists(local)
        assert "model.bin 100%" in caplog.text

    def test_connection_cut_during_download_leaves_nothing(
        self, driver: RemoteStorage, make_repository: MakeRepository, storage: EmulatedStorage
    ) -> None:
        url = make_repository({"1/a.bin": b"a" * 100, "1/b.bin": b"b" * 100})
        stream = driver.cache.stream
        calls = []

        def cut_after_first(*args: object, **kwargs: object) -> None:
            calls.append(args)
            if len(calls) == 2:
                storage.emulator.stop()
            stream(*args, **kwargs)  # type: ignore[arg-type]

        driver.cache.stream = cut_after_first  # type: ignore[method-assign]
        try:
            with pytest.raises(OvmsError) as caught:
                driver.fetch_dir(driver.join(url, "1"))
        finally:
            storage.emulator.start()
            storage.create_bucket()
        assert caught.value.code is driver.errors.get_failed
        assert os.listdir(driver.cache.root) == []

    # -- the server, in another process -------------------------------------------------------

    def test_serves_polls_and_survives_an_outage(
        self,
        storage: EmulatedStorage,
        driver_class: type[RemoteStorage],
        tmp_path: Path,
    ) -> None:
        storage.create_bucket()
        errors = driver_class.errors
        base = storage.new_url("served")
        storage.upload(base, model_files(1))
        missing = f"{storage.scheme}://no-such-bucket-{uuid.uuid4().hex[:8]}/model"
        config = str(tmp_path / "config.json")
        with open(config, "w", encoding="utf-8") as handle:
            models = [{"name": "m", "base_path": base}, {"name": "lost", "base_path": missing}]
            json.dump({"model_config_list": [{"config": m} for m in models]}, handle)
        args = ["--config_path", config, "--file_system_poll_wait_seconds", "1"]
        with ServerProcess(args, env=storage.server_env) as server:
            assert infer_version(server, "m") == "1"
            assert errors.bucket_not_found.message in server.log()
            storage.upload(base, model_files(2))
            wait_for(lambda: version_ready(server, "m", 2), "version 2 loaded by polling")
            assert infer_version(server, "m") == "2"
            storage.emulator.stop()
            try:
                wait_for(lambda: errors.list_failed.message in server.log(), "a failed poll logged")
                assert infer_version(server, "m") == "2"
            finally:
                storage.emulator.start()
                storage.create_bucket()
            storage.upload(base, model_files(3))
            wait_for(lambda: version_ready(server, "m", 3), "version 3 after the restart")
            assert infer_version(server, "m") == "3"

    def test_start_up_with_unreachable_storage_does_not_hang(
        self, storage: EmulatedStorage, driver_class: type[RemoteStorage]
    ) -> None:
        env = {**storage.server_env, **storage.unreachable_env}
        args = ["--model_name", "m", "--model_path", f"{storage.scheme}://{storage.bucket}/m"]
        with ServerProcess(args, env=env) as server:
            assert driver_class.errors.list_failed.message in server.log()
