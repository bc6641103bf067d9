import os
import shutil
import sys
import tempfile

import pytest
from gcsfs.core import GCSFileSystem
from ovms_testing.contracts import EmulatedStorage
from ovms_testing.server import free_port
from ovms_testing.services import ServiceProcess

EMULATOR = os.path.join(os.path.dirname(sys.executable), "gcp-storage-emulator")


class EmulatedGCS(EmulatedStorage):
    """gcp-storage-emulator on 127.0.0.1, keeping its data on disk across restarts."""

    scheme = "gs"
    bucket = "models"

    def __init__(self, data_dir):
        self.emulator = ServiceProcess(
            lambda port: [
                EMULATOR,
                "-d",
                data_dir,
                "start",
                "--host",
                "127.0.0.1",
                "--port",
                str(port),
                "-q",
            ]
        )

    @property
    def server_env(self):
        return {
            "STORAGE_EMULATOR_HOST": self.emulator.url,
            # gcsfs's experimental features probe buckets over gRPC, which emulators lack.
            "GCSFS_EXPERIMENTAL_ZB_HNS_SUPPORT": "false",
        }

    @property
    def unreachable_env(self):
        return {"STORAGE_EMULATOR_HOST": f"http://127.0.0.1:{free_port()}"}

    def client(self):
        return GCSFileSystem(endpoint_url=self.emulator.url, token="anon", skip_instance_cache=True)

    def create_bucket(self):
        fs = self.client()
        if not fs.exists(self.bucket):
            fs.mkdir(self.bucket)

    def upload(self, url, files):
        fs = self.client()
        for relative, content in files.items():
            fs.pipe_file(f"{url}/{relative}", content)


@pytest.fixture(scope="session")
def storage():
    data_dir = tempfile.mkdtemp(prefix="gcs-emulator-")
    emulated = EmulatedGCS(data_dir)
    with emulated.emulator:
        yield emulated
    shutil.rmtree(data_dir, ignore_errors=True)
