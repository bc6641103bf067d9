import json

import openvino as ov
import pytest

from ovms_core.testing.models import add_two_inputs_model, dummy_model, save_version
from ovms_core.testing.server import ServerProcess


@pytest.fixture(scope="session")
def repository(tmp_path_factory):
    """Model folders: dummy (versions 1 and 2), add_two, dynamic dummy, int32 dummy, broken."""
    root = tmp_path_factory.mktemp("models")
    save_version(dummy_model(), str(root / "dummy"), 1)
    save_version(dummy_model(), str(root / "dummy"), 2)
    save_version(add_two_inputs_model(), str(root / "add_two"), 1)
    save_version(dummy_model((-1, 10)), str(root / "dynamic"), 1)
    save_version(dummy_model((1, 4), ov.Type.i32), str(root / "int32"), 1)
    save_version(dummy_model((1, 3), ov.Type.f16), str(root / "fp16"), 1)
    broken = root / "broken" / "1"
    broken.mkdir(parents=True)
    (broken / "model.xml").write_text("<net>this is not IR</net>")
    (broken / "model.bin").write_bytes(b"")
    return root


@pytest.fixture(scope="session")
def config_file(repository):
    models = [
        {"name": "dummy", "base_path": "dummy", "model_version_policy": {"all": {}}},
        {"name": "add_two", "base_path": "add_two"},
        {"name": "dynamic", "base_path": "dynamic"},
        {"name": "int32", "base_path": "int32"},
        {"name": "fp16", "base_path": "fp16"},
        {"name": "broken", "base_path": "broken"},
    ]
    path = repository / "config.json"
    path.write_text(json.dumps({"model_config_list": [{"config": m} for m in models]}))
    return path


@pytest.fixture(scope="session")
def server(config_file):
    with ServerProcess(["--config_path", str(config_file)]) as running:
        yield running
