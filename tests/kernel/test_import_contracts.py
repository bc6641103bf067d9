"""Every plugin distribution in the tree is covered by the import contracts of `tox -e lint`."""

import configparser
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def _plugin_packages():
    """(folder, package) of every distribution under plugins/ and examples/."""
    found = []
    for pyproject in sorted(
        [*ROOT.glob("plugins/*/*/pyproject.toml"), *ROOT.glob("examples/*/pyproject.toml")]
    ):
        folder = pyproject.parent
        for package in folder.iterdir():
            if (package / "__init__.py").is_file() and package.name != "tests":
                found.append((folder, package.name))
    return found


def _contracts():
    parser = configparser.ConfigParser()
    parser.read(ROOT / ".importlinter")
    return parser


def _listed(parser, section, key):
    return set(parser[section][key].split())


def test_the_tree_has_plugins():
    assert len(_plugin_packages()) >= 15


def test_every_plugin_is_checked_for_independence_and_public_api_use():
    parser = _contracts()
    packages = {package for _, package in _plugin_packages()}
    assert packages <= _listed(parser, "importlinter", "root_packages")
    assert packages <= _listed(parser, "importlinter:contract:plugins-independent", "modules")
    public = _listed(parser, "importlinter:contract:plugins-use-public-api", "source_modules")
    assert packages <= public
