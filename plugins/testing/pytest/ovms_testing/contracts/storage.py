"""What every storage driver must do."""

from __future__ import annotations

import os
from collections.abc import Callable

import pytest

from ovms_core import OvmsError, StorageDriver, list_versions

__all__ = ["MakeRepository", "StorageContract"]

MakeRepository = Callable[[dict[str, bytes]], str]
"""Creates files (relative path -> content) in the backend and returns the base URL."""


class StorageContract:
    """Subclass with fixtures ``driver`` (a StorageDriver) and ``make_repository``."""

    FILES = {
        "1/model.xml": b"<xml/>",
        "1/model.bin": b"\x00\x01",
        "3/model.onnx": b"onnx",
        "03x/readme.txt": b"not a version",
        "top.txt": b"top",
    }

    @pytest.fixture
    def repository(self, make_repository: MakeRepository) -> str:
        return make_repository(self.FILES)

    def test_base_path_is_a_dir(self, driver: StorageDriver, repository: str) -> None:
        assert driver.exists(repository)
        assert driver.is_dir(repository)

    def test_lists_sub_folders_by_name(self, driver: StorageDriver, repository: str) -> None:
        assert sorted(driver.list_dirs(repository)) == ["03x", "1", "3"]

    def test_lists_files_by_name(self, driver: StorageDriver, repository: str) -> None:
        assert driver.list_files(repository) == ["top.txt"]
        assert sorted(driver.list_files(driver.join(repository, "1"))) == ["model.bin", "model.xml"]

    def test_reads_bytes(self, driver: StorageDriver, repository: str) -> None:
        assert driver.read_bytes(driver.join(repository, "1", "model.bin")) == b"\x00\x01"

    def test_missing_path(self, driver: StorageDriver, repository: str) -> None:
        missing = driver.join(repository, "nope")
        assert not driver.exists(missing)
        assert not driver.is_dir(missing)

    def test_listing_a_missing_path_raises(self, driver: StorageDriver, repository: str) -> None:
        with pytest.raises(FileNotFoundError):
            driver.list_dirs(driver.join(repository, "nope"))

    def test_file_is_not_a_dir(self, driver: StorageDriver, repository: str) -> None:
        assert not driver.is_dir(driver.join(repository, "top.txt"))

    def test_fetch_dir_gives_a_local_copy(self, driver: StorageDriver, repository: str) -> None:
        local = driver.fetch_dir(driver.join(repository, "1"))
        try:
            assert sorted(os.listdir(local)) == ["model.bin", "model.xml"]
            with open(os.path.join(local, "model.xml"), "rb") as handle:
                assert handle.read() == b"<xml/>"
        finally:
            driver.release_dir(local)

    def test_kernel_finds_numeric_versions(self, driver: StorageDriver, repository: str) -> None:
        assert list_versions(driver, "m", repository) == [1, 3]

    def test_kernel_rejects_missing_base_path(self, driver: StorageDriver, repository: str) -> None:
        with pytest.raises(OvmsError) as caught:
            list_versions(driver, "m", driver.join(repository, "absent"))
        assert caught.value.code.name == "PATH_INVALID"

    def test_kernel_rejects_a_file_as_base_path(
        self, driver: StorageDriver, repository: str
    ) -> None:
        with pytest.raises(OvmsError) as caught:
            list_versions(driver, "m", driver.join(repository, "top.txt"))
        assert caught.value.code.name == "PATH_INVALID"
