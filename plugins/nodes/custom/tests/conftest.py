import os
import shutil
import subprocess

import pytest
from ovms_node_custom import include_dir

NODES = os.path.join(os.path.dirname(__file__), "nodes")


def _compile(source, target, *flags):
    compiler = "g++" if source.endswith(".cpp") else "gcc"
    command = [compiler, "-shared", "-fPIC", "-O2", "-Wall", "-Werror", *flags]
    command += ["-I", include_dir(), "-I", NODES, os.path.join(NODES, source), "-o", str(target)]
    subprocess.run(command, check=True)
    return str(target)


@pytest.fixture(scope="session")
def libraries(tmp_path_factory):
    """The test nodes compiled with gcc: name -> path of the .so."""
    if shutil.which("gcc") is None or shutil.which("g++") is None:
        pytest.skip("gcc and g++ are needed to build the test custom nodes")
    folder = tmp_path_factory.mktemp("custom_nodes")
    built = {
        name: _compile(f"{name}.c", folder / f"lib{name}.so")
        for name in ("add_constant", "split", "error", "malformed")
    }
    built["no_release"] = _compile(
        "add_constant.c", folder / "libno_release.so", "-Drelease=release_renamed"
    )
    built["upstream_style"] = _compile(
        "upstream_style.cpp", folder / "libupstream_style.so", "-fvisibility=hidden"
    )
    return built
