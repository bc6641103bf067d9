import json
import subprocess
import sys


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


def test_records_model_events_through_its_entry_point(tmp_path, ovms_model_repository, ovms_serve):
    folder = ovms_model_repository.add("m")
    audit = tmp_path / "audit.jsonl"
    server = ovms_serve("--model_name", "m", "--model_path", str(folder), "--audit_log", str(audit))
    server.stop()
    assert server.process.returncode == 0
    events = [json.loads(line) for line in audit.read_text().splitlines()]
    assert [e["event"] for e in events] == ["configured", "loaded", "unloaded"]
    assert events[1]["model"] == "m"
    assert events[1]["version"] == 1
