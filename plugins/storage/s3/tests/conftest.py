import sys

import pytest
import s3fs
from ovms_storage_s3 import s3_options
from ovms_testing.contracts import EmulatedStorage
from ovms_testing.server import free_port
from ovms_testing.services import ServiceProcess

REGION = "eu-west-1"


class MotoS3(EmulatedStorage):
    """moto in server mode on 127.0.0.1 (in memory: a restart empties it)."""

    scheme = "s3"
    bucket = "models"

    def __init__(self):
        self.emulator = ServiceProcess(
            lambda port: [sys.executable, "-m", "moto.server", "-H", "127.0.0.1", "-p", str(port)]
        )

    @property
    def server_env(self):
        return {
            "AWS_ACCESS_KEY_ID": "testing",
            "AWS_SECRET_ACCESS_KEY": "testing",
            "AWS_REGION": REGION,
            "S3_ENDPOINT": self.emulator.url,
        }

    @property
    def unreachable_env(self):
        return {"S3_ENDPOINT": f"http://127.0.0.1:{free_port()}"}

    def client(self):
        return s3fs.S3FileSystem(**s3_options(self.server_env))

    def create_bucket(self):
        fs = self.client()
        if not fs.exists(self.bucket):
            fs.mkdir(self.bucket, region_name=REGION)

    def upload(self, url, files):
        fs = self.client()
        for relative, content in files.items():
            fs.pipe_file(f"{url}/{relative}", content)


@pytest.fixture(scope="session")
def storage():
    emulated = MotoS3()
    with emulated.emulator:
        yield emulated
