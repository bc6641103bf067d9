import os
import shutil
import subprocess
import tempfile
from pathlib import Path

import pytest
from azure.storage.blob import BlobServiceClient
from ovms_testing.contracts import EmulatedStorage
from ovms_testing.server import free_port
from ovms_testing.services import ServiceProcess

AZURITE_VERSION = "3.35.x"
# Azurite's well-known development account (public, documented by Azure for emulators).
ACCOUNT = "devstoreaccount1"
KEY = "Eby8vdM02xNOcqFlqUwJPLlmEtlCDXJ1OUzFT50uSRZ6IFsuFq2UVErCz4I6tq/K1SZFPTOtr/KBHBeksoGMGw=="


def connection_string(endpoint, key=KEY):
    return (
        f"DefaultEndpointsProtocol=http;AccountName={ACCOUNT};AccountKey={key};"
        f"BlobEndpoint={endpoint}/{ACCOUNT};"
    )


def azurite_command():
    """The azurite-blob script: $OVMS_AZURITE, or npm-installed once under build/azurite."""
    if os.environ.get("OVMS_AZURITE"):
        return os.environ["OVMS_AZURITE"]
    prefix = Path(__file__).resolve().parents[4] / "build" / "azurite"
    script = prefix / "node_modules" / ".bin" / "azurite-blob"
    if not script.exists():
        subprocess.run(
            [
                "npm",
                "install",
                "--no-save",
                "--no-audit",
                "--no-fund",
                "--prefix",
                str(prefix),
                f"azurite@{AZURITE_VERSION}",
            ],
            check=True,
            stdout=subprocess.DEVNULL,
            timeout=600,
        )
    return str(script)


class EmulatedAzure(EmulatedStorage):
    """Azurite's blob service on 127.0.0.1, keeping its data on disk across restarts."""

    scheme = "az"
    bucket = "models"

    def __init__(self, data_dir):
        script = azurite_command()
        self.emulator = ServiceProcess(
            lambda port: [
                script,
                "--blobHost",
                "127.0.0.1",
                "--blobPort",
                str(port),
                "--location",
                data_dir,
                "--silent",
                "--disableTelemetry",
                "--skipApiVersionCheck",
            ]
        )

    @property
    def server_env(self):
        return {"AZURE_STORAGE_CONNECTION_STRING": connection_string(self.emulator.url)}

    @property
    def unreachable_env(self):
        closed = f"http://127.0.0.1:{free_port()}"
        return {"AZURE_STORAGE_CONNECTION_STRING": connection_string(closed)}

    def client(self):
        return BlobServiceClient.from_connection_string(connection_string(self.emulator.url))

    def create_bucket(self):
        container = self.client().get_container_client(self.bucket)
        if not container.exists():
            container.create_container()

    def upload(self, url, files):
        container, _, prefix = url[len("az://") :].partition("/")
        client = self.client().get_container_client(container)
        for relative, content in files.items():
            client.upload_blob(f"{prefix}/{relative}", content, overwrite=True)


@pytest.fixture
def wrong_key_connection_string(storage):
    """Points at the running Azurite with a key it rejects."""
    return connection_string(storage.emulator.url, KEY.replace("Eby8", "Xby8"))


@pytest.fixture(scope="session")
def storage():
    data_dir = tempfile.mkdtemp(prefix="azurite-")
    emulated = EmulatedAzure(data_dir)
    with emulated.emulator:
        yield emulated
    shutil.rmtree(data_dir, ignore_errors=True)
