import subprocess
import sys


def _ovms(*args):
    return subprocess.run(
        [sys.executable, "-m", "ovms_core", *args], capture_output=True, text=True, timeout=120
    )


def test_validate_reports_missing_model_path(tmp_path):
    done = _ovms(
        "validate",
        "--model_name",
        "a",
        "--model_path",
        str(tmp_path / "nope"),
        "--rest_port",
        "8000",
    )
    assert done.returncode == 1
    assert "The provided base path is invalid" in done.stderr
    assert str(tmp_path / "nope") in done.stderr


def test_validate_accepts_a_good_config(config_file):
    done = _ovms("validate", "--config_path", str(config_file), "--rest_port", "8000")
    assert done.returncode == 0, done.stderr
    assert "Configuration is valid" in done.stdout
    assert "dummy" in done.stdout


def test_a_config_file_with_no_port_is_refused(config_file):
    for command in ("serve", "validate"):
        done = _ovms(command, "--config_path", str(config_file))
        assert done.returncode == 64, done.stderr
        assert "set --port (gRPC) and/or --rest_port (REST)" in done.stderr


def test_validate_reports_a_missing_path_before_the_ports(tmp_path):
    done = _ovms("validate", "--model_name", "x", "--model_path", str(tmp_path / "missing"))
    assert done.returncode == 1
    assert "The provided base path is invalid or doesn't exists" in done.stderr
    assert "rest_port" not in done.stderr
