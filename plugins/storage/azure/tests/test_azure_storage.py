import os

import pytest
from ovms_storage_azure import AzureBlobStorage
from ovms_testing.contracts import RemoteStorageContract
from ovms_testing.packaging import importable, requirement_closure
from ovms_testing.server import ServerProcess

from ovms_core import OvmsError
from ovms_core.models.repository import list_versions
from ovms_core.plugins.drivers import DriverLoader
from ovms_core.plugins.errors import PluginLoadFailed


class TestAzureBlobStorage(RemoteStorageContract):
    @pytest.fixture
    def driver_class(self):
        return AzureBlobStorage


def test_registered_as_az_driver():
    assert isinstance(DriverLoader().get("storage", "az"), AzureBlobStorage)


def test_file_shares_are_refused_with_a_reason():
    with pytest.raises(PluginLoadFailed, match=r"Azure file shares .* not supported"):
        DriverLoader().get("storage", "azfs")


def test_wrong_key_is_invalid_access(storage, wrong_key_connection_string, monkeypatch):
    storage.create_bucket()
    monkeypatch.setenv("AZURE_STORAGE_CONNECTION_STRING", wrong_key_connection_string)
    with pytest.raises(OvmsError) as caught:
        list_versions(AzureBlobStorage(), "m", "az://models/m")
    assert caught.value.code is AzureBlobStorage.errors.invalid_access


def test_wrong_key_at_start_up_is_logged_and_the_server_serves(wrong_key_connection_string):
    args = ["--model_name", "m", "--model_path", "az://models/m"]
    env = {"AZURE_STORAGE_CONNECTION_STRING": wrong_key_connection_string}
    with ServerProcess(args, env=env) as server:
        assert "AS Invalid access rights" in server.log()


def test_missing_connection_string_is_reported(monkeypatch):
    monkeypatch.delenv("AZURE_STORAGE_CONNECTION_STRING", raising=False)
    with pytest.raises(OvmsError, match="AZURE_STORAGE_CONNECTION_STRING is not set"):
        AzureBlobStorage().list_dirs("az://models/m")


def test_pulls_no_other_cloud_sdk():
    pulled = requirement_closure("ovms-storage-azure")
    assert "adlfs" in pulled
    assert not {d for d in pulled if d.startswith(("google-", "gcsfs", "s3fs", "boto"))}


@pytest.mark.skipif(
    os.environ.get("OVMS_STORAGE_ALONE") != "azure", reason="needs a test env of its own"
)
def test_installed_alone():
    for module in ("s3fs", "botocore", "gcsfs", "google.cloud.storage"):
        assert not importable(module), f"{module} is importable"
