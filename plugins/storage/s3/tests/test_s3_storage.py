import os

import pytest
from ovms_storage_s3 import S3Storage, s3_options
from ovms_testing.contracts import RemoteStorageContract
from ovms_testing.contracts.remote_storage import infer_version, model_files, wait_for
from ovms_testing.packaging import importable, requirement_closure
from ovms_testing.server import ServerProcess

from ovms_core.plugins.drivers import DriverLoader


class TestS3Storage(RemoteStorageContract):
    @pytest.fixture
    def driver_class(self):
        return S3Storage


def test_registered_as_s3_driver():
    assert isinstance(DriverLoader().get("storage", "s3"), S3Storage)


def test_environment_as_ovms_reads_it():
    options = s3_options(
        {
            "AWS_ACCESS_KEY_ID": "id",
            "AWS_SECRET_ACCESS_KEY": "secret",
            "AWS_SESSION_TOKEN": "token",
            "AWS_REGION": "eu-central-1",
            "S3_ENDPOINT": "minio.local:9000",
        }
    )
    assert (options["key"], options["secret"], options["token"]) == ("id", "secret", "token")
    assert options["client_kwargs"]["region_name"] == "eu-central-1"
    assert options["endpoint_url"] == "https://minio.local:9000"
    assert options["config_kwargs"]["connect_timeout"] > 0


def test_no_credentials_means_anonymous(tmp_path):
    options = s3_options({"AWS_SHARED_CREDENTIALS_FILE": str(tmp_path / "none")})
    assert options["anon"] is True


def test_pulls_no_other_cloud_sdk():
    pulled = requirement_closure("ovms-storage-s3")
    assert "s3fs" in pulled
    assert not {d for d in pulled if d.startswith(("google-", "azure-", "gcsfs", "adlfs"))}


@pytest.mark.skipif(
    os.environ.get("OVMS_STORAGE_ALONE") != "s3", reason="needs a test env of its own"
)
def test_installed_alone():
    for module in ("gcsfs", "adlfs", "google.cloud.storage", "azure.storage.blob"):
        assert not importable(module), f"{module} is importable"


def test_polling_costs_one_listing_and_no_download(storage):
    storage.create_bucket()
    base = storage.new_url("polled")
    prefix = base.split("/", 3)[3]
    storage.upload(base, model_files(1))
    args = ["--model_name", "m", "--model_path", base, "--file_system_poll_wait_seconds", "1"]
    with ServerProcess(args, env=storage.server_env) as server:
        assert infer_version(server, "m") == "1"

        def requests():
            return [line for line in storage.emulator.log().splitlines() if prefix in line]

        loaded = len(requests())
        wait_for(lambda: len(requests()) >= loaded + 3, "three polls after the load")
        after_load = requests()[loaded:]
    assert all("list-type=2" in line and "delimiter=/" in line for line in after_load), after_load
