import json
import subprocess
import sys

from ovms_core.testing.models import dummy_model, save_version
from ovms_core.testing.server import ServerProcess


def test_listed_by_ovms_plugins():
    done = subprocess.run(
        [sys.executable, "-m", "ovms_core", "plugins"], capture_output=True, text=True, timeout=60
    )
    assert "ovms.hooks" in done.stdout
    assert "ovms-example-audit" in done.stdout
    assert "hooks of audit: " in done.stdout
    assert "ovms_model_version_loaded" in done.stdout


def test_option_appears_in_serve_help():
    done = subprocess.run(
        [sys.executable, "-m", "ovms_core", "serve", "--help"], capture_output=True, text=True
    )
    assert "--audit_log" in done.stdout


def test_records_model_events_through_its_entry_point(tmp_path):
    save_version(dummy_model(), str(tmp_path / "m"), 1)
    audit = tmp_path / "audit.jsonl"
    args = ["--model_name", "m", "--model_path", str(tmp_path / "m"), "--audit_log", str(audit)]
    with ServerProcess(args) as server:
        pass
    assert server.process.returncode == 0
    events = [json.loads(line) for line in audit.read_text().splitlines()]
    assert [e["event"] for e in events] == ["configured", "loaded", "unloaded"]
    assert events[1]["model"] == "m"
    assert events[1]["version"] == 1
