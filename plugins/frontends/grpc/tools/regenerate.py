"""Regenerate the committed gRPC stubs of ovms-frontend-grpc from ``protos/``.

Runs grpcio-tools' protoc on every ``.proto`` file, rewrites the generated imports so that they
stay inside ``ovms_frontend_grpc._generated`` (never a top-level ``tensorflow`` or ``ovms``
package) and replaces ``ovms_frontend_grpc/_generated/`` with the result. With ``--check`` it
generates into a temporary directory instead and exits 1 when the committed files differ.

Usage: python tools/regenerate.py [--check]
"""

from __future__ import annotations

import argparse
import difflib
import re
import shutil
import sys
import tempfile
from importlib import metadata, resources
from pathlib import Path

# Stubs from grpcio-tools 1.81.x load on protobuf 6 and 7; 1.82 and later need protobuf >= 7.35.
GRPCIO_TOOLS_VERSION = "1.81.1"

PLUGIN_DIR = Path(__file__).resolve().parent.parent
PROTO_DIR = PLUGIN_DIR / "protos"
OUT_DIR = PLUGIN_DIR / "ovms_frontend_grpc" / "_generated"
PACKAGE = "ovms_frontend_grpc._generated"
PACKAGE_DOCSTRING = (
    '"""Code generated from ``protos/`` by ``tools/regenerate.py``: do not edit."""\n'
)
SERVICE_RE = re.compile(r"^service\s", re.MULTILINE)


def require_pinned_generator() -> None:
    """Exit with a message unless the pinned grpcio-tools version is installed."""
    try:
        found = metadata.version("grpcio-tools")
    except metadata.PackageNotFoundError:
        found = "not installed"
    if found != GRPCIO_TOOLS_VERSION:
        sys.exit(
            f"grpcio-tools is {found}; regenerate.py needs exactly grpcio-tools=="
            f"{GRPCIO_TOOLS_VERSION} (stubs from 1.82+ need protobuf >= 7.35 at run time).\n"
            f"Install it in a virtualenv: pip install 'grpcio-tools=={GRPCIO_TOOLS_VERSION}'"
        )


def run_protoc(args: list[str]) -> None:
    """Run the protoc bundled with grpcio-tools, with its well-known types on the path."""
    from grpc_tools import protoc

    include = resources.files("grpc_tools") / "_proto"
    code = protoc.main(["protoc", f"-I{PROTO_DIR}", f"-I{include}", *args])
    if code != 0:
        sys.exit(f"protoc failed with exit code {code}")


def rewrite_imports(out_dir: Path, roots: set[str]) -> None:
    """Make the generated modules refer to each other inside PACKAGE."""
    names = "|".join(sorted(map(re.escape, roots)))
    import_re = re.compile(rf"^from ((?:{names})(?:\.\w+)*) import ", re.MULTILINE)
    module_re = re.compile(rf"(BuildTopDescriptorsAndMessages\(DESCRIPTOR, ')((?:{names})\.)")
    for path in sorted([*out_dir.rglob("*.py"), *out_dir.rglob("*.pyi")]):
        text = import_re.sub(rf"from {PACKAGE}.\1 import ", path.read_text())
        path.write_text(module_re.sub(rf"\1{PACKAGE}.\2", text))


def add_init_files(out_dir: Path) -> None:
    """Make the output directory and each of its subdirectories a regular package."""
    (out_dir / "__init__.py").write_text(PACKAGE_DOCSTRING)
    for sub in sorted(p for p in out_dir.rglob("*") if p.is_dir()):
        (sub / "__init__.py").touch()


def generate(out_dir: Path) -> None:
    """Generate messages (with .pyi stubs) for every proto and gRPC code for the services."""
    protos = sorted(PROTO_DIR.rglob("*.proto"))
    services = [p for p in protos if SERVICE_RE.search(p.read_text())]
    run_protoc([f"--python_out={out_dir}", f"--pyi_out={out_dir}", *map(str, protos)])
    run_protoc([f"--grpc_python_out={out_dir}", *map(str, services)])
    rewrite_imports(out_dir, {p.relative_to(PROTO_DIR).parts[0] for p in protos})
    add_init_files(out_dir)


def tree_files(root: Path) -> dict[str, Path]:
    """Map each file under root (bytecode caches excluded) to its relative POSIX path."""
    return {
        p.relative_to(root).as_posix(): p
        for p in root.rglob("*")
        if p.is_file() and "__pycache__" not in p.parts
    }


def diff_summary(committed: Path, fresh: Path) -> list[str]:
    """Describe every difference between the committed and the freshly generated tree."""
    old, new = tree_files(committed), tree_files(fresh)
    lines = [f"missing (not committed): {name}" for name in sorted(new.keys() - old.keys())]
    lines += [f"stale (no longer generated): {name}" for name in sorted(old.keys() - new.keys())]
    for name in sorted(old.keys() & new.keys()):
        a, b = old[name].read_text().splitlines(), new[name].read_text().splitlines()
        if a != b:
            changes = list(difflib.unified_diff(a, b, lineterm="", n=0))[2:]
            added = sum(d.startswith("+") for d in changes)
            removed = sum(d.startswith("-") for d in changes)
            lines.append(f"differs: {name} (+{added} -{removed} lines)")
    return lines


def main() -> int:
    """Regenerate into OUT_DIR, or with --check compare a fresh generation with it."""
    parser = argparse.ArgumentParser(description="Regenerate the committed gRPC stubs.")
    parser.add_argument(
        "--check", action="store_true", help="fail if the committed code is out of date"
    )
    args = parser.parse_args()
    require_pinned_generator()
    with tempfile.TemporaryDirectory() as tmp:
        fresh = Path(tmp) / "_generated"
        fresh.mkdir()
        generate(fresh)
        if args.check:
            differences = diff_summary(OUT_DIR, fresh)
            for line in differences:
                print(line)
            if differences:
                print(f"{OUT_DIR} is out of date: run {Path(__file__).name} without --check")
                return 1
            print(f"{OUT_DIR} is up to date ({len(tree_files(fresh))} files)")
            return 0
        shutil.rmtree(OUT_DIR, ignore_errors=True)
        shutil.copytree(fresh, OUT_DIR)
    print(f"wrote {len(tree_files(OUT_DIR))} files to {OUT_DIR}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
