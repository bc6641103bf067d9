import os

import pytest
from ovms_storage_local import LocalStorage
from ovms_testing.contracts import StorageContract

from ovms_core.plugins.drivers import DriverLoader


class TestLocalStorage(StorageContract):
    @pytest.fixture
    def driver(self):
        return LocalStorage()

    @pytest.fixture
    def make_repository(self, tmp_path):
        def make(files):
            for relative, content in files.items():
                path = tmp_path / "repo" / relative
                path.parent.mkdir(parents=True, exist_ok=True)
                path.write_bytes(content)
            return str(tmp_path / "repo")

        return make


def test_registered_as_file_driver():
    assert isinstance(DriverLoader().get("storage", "file"), LocalStorage)


def test_file_url_prefix_is_accepted(tmp_path):
    (tmp_path / "1").mkdir()
    assert LocalStorage().list_dirs(f"file://{tmp_path}") == ["1"]


def test_fetch_dir_reads_in_place(tmp_path):
    driver = LocalStorage()
    assert driver.fetch_dir(str(tmp_path)) == str(tmp_path)
    driver.release_dir(str(tmp_path))
    assert os.path.isdir(tmp_path)
