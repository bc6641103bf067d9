import pytest
from ovms_testing.models import dummy_model, save_version


@pytest.fixture(scope="session")
def repository(tmp_path_factory):
    """``dummy`` (``a = b + 1`` on f32 [1,10]) in versions 1 and 2."""
    root = tmp_path_factory.mktemp("models")
    save_version(dummy_model(), str(root / "dummy"), 1)
    save_version(dummy_model(), str(root / "dummy"), 2)
    return root
