import os

import pytest
from ovms_storage_gcs import GCSStorage, gcs_options
from ovms_testing.contracts import RemoteStorageContract
from ovms_testing.packaging import importable, requirement_closure

from ovms_core.plugins.drivers import DriverLoader


class TestGCSStorage(RemoteStorageContract):
    @pytest.fixture
    def driver_class(self):
        return GCSStorage


def test_registered_as_gs_driver():
    assert isinstance(DriverLoader().get("storage", "gs"), GCSStorage)


def test_key_file_from_the_environment():
    assert gcs_options({"GOOGLE_APPLICATION_CREDENTIALS": "/keys/sa.json"})["token"] == (
        "/keys/sa.json"
    )


def test_anonymous_without_credentials():
    assert gcs_options({})["token"] == "anon"


def test_pulls_no_other_cloud_sdk():
    pulled = requirement_closure("ovms-storage-gcs")
    assert "gcsfs" in pulled
    assert not {d for d in pulled if d.startswith(("azure-", "adlfs", "s3fs", "boto"))}


@pytest.mark.skipif(
    os.environ.get("OVMS_STORAGE_ALONE") != "gcs", reason="needs a test env of its own"
)
def test_installed_alone():
    for module in ("s3fs", "botocore", "adlfs", "azure.storage.blob"):
        assert not importable(module), f"{module} is importable"
