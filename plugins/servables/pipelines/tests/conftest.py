import pytest
from ovms_testing.models import add_two_inputs_model, dummy_model, save_version


@pytest.fixture(scope="session")
def repository(tmp_path_factory):
    """Model folders of the pipeline tests: ``dummy`` (versions 1 and 2), ``add_two``, and
    ``broken``, whose IR does not load."""
    root = tmp_path_factory.mktemp("models")
    save_version(dummy_model(), str(root / "dummy"), 1)
    save_version(dummy_model(), str(root / "dummy"), 2)
    save_version(add_two_inputs_model(), str(root / "add_two"), 1)
    broken = root / "broken" / "1"
    broken.mkdir(parents=True)
    (broken / "model.xml").write_text("<net>this is not IR</net>")
    (broken / "model.bin").write_bytes(b"")
    return root
