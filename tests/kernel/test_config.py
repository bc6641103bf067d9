import json
import subprocess
import sys

import pytest

from ovms_core.config import ConfigError, ServerSettings, VersionPolicy, load_config_file
from ovms_core.config.serving_config import parse_config
from ovms_core.config.shapes import BatchSetting, Dim, LayoutSetting, ShapeSetting


def _config(models, **extra):
    return {"model_config_list": [{"config": m} for m in models], **extra}


def test_unknown_key_names_the_json_path():
    with pytest.raises(ConfigError) as caught:
        parse_config(_config([{"name": "a", "base_path": "/m", "nirq": 1}]), source="c.json")
    text = str(caught.value)
    assert "c.json" in text
    assert "$.model_config_list[0].config.nirq" in text
    assert "unknown key 'nirq'" in text


def test_wrong_type_names_path_and_value():
    with pytest.raises(ConfigError) as caught:
        parse_config(_config([{"name": "a", "base_path": "/m", "nireq": "four"}]))
    text = str(caught.value)
    assert "$.model_config_list[0].config.nireq" in text
    assert '(value: "four")' in text


def test_missing_required_key():
    with pytest.raises(ConfigError, match="required key 'base_path'"):
        parse_config(_config([{"name": "a"}]))


def test_missing_model_config_list():
    with pytest.raises(ConfigError, match="required key 'model_config_list'"):
        parse_config({})


def test_duplicate_model_names():
    with pytest.raises(ConfigError, match="used twice"):
        parse_config(_config([{"name": "a", "base_path": "/m"}, {"name": "a", "base_path": "/n"}]))


def test_stateful_keys_need_stateful():
    with pytest.raises(ConfigError, match="Stateful model config parameter used for non stateful"):
        parse_config(_config([{"name": "a", "base_path": "/m", "max_sequence_number": 3}]))


def test_nireq_limit():
    with pytest.raises(ConfigError, match="Nireq parameter too high"):
        parse_config(_config([{"name": "a", "base_path": "/m", "nireq": 100001}]))


def test_monitoring_section():
    config = parse_config(
        _config([], monitoring={"metrics": {"enable": True, "metrics_list": ["ovms_streams"]}})
    )
    assert config.metrics_enable
    assert config.metrics_list == ("ovms_streams",)


def test_relative_base_path_resolves_against_config_folder(tmp_path):
    path = tmp_path / "config.json"
    path.write_text(json.dumps(_config([{"name": "a", "base_path": "models/a"}])))
    config = load_config_file(str(path))
    assert config.models[0].base_path == str(tmp_path / "models" / "a")
    assert len(config.digest) == 32


def test_malformed_json_file(tmp_path):
    path = tmp_path / "config.json"
    path.write_text('{"model_config_list": [')
    with pytest.raises(ConfigError) as caught:
        load_config_file(str(path))
    assert "The file is not valid json" in str(caught.value)
    assert str(path) in str(caught.value)


def test_missing_file(tmp_path):
    with pytest.raises(ConfigError, match="Configuration file not found or cannot open"):
        load_config_file(str(tmp_path / "absent.json"))


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ({"latest": {"num_versions": 2}}, {3, 2}),
        ({"all": {}}, {1, 2, 3}),
        ({"specific": {"versions": [1, 3, 7, -1]}}, {1, 3}),
        ('{"latest": {"num_versions": 1}}', {3}),
    ],
)
def test_version_policies(raw, expected):
    assert VersionPolicy.parse(raw).select([1, 2, 3]) == expected


@pytest.mark.parametrize(
    ("raw", "message"),
    [
        ({"newest": {}}, "Model version policy contains unsupported key"),
        ({"all": {}, "latest": {}}, "Model version policy is in wrong format"),
        ({"latest": {"num_versions": 0}}, "Model version policy is in wrong format"),
        ("not json", "Model version policy is in wrong format"),
    ],
)
def test_bad_version_policies(raw, message):
    with pytest.raises(ConfigError, match=message):
        VersionPolicy.parse(raw)


def test_shape_syntax():
    setting = ShapeSetting.parse("(1, 3, -1, 1:10)")
    assert setting.anonymous.dims == (Dim(1, 1), Dim(3, 3), Dim(-1, -1), Dim(1, 10))
    assert setting.anonymous.ov_text() == "[1,3,?,1..10]"
    named = ShapeSetting.parse('{"in": "(1,2)", "other": "auto"}')
    assert named.named["other"].auto


@pytest.mark.parametrize("raw", ["1,2", "(1,a)", "(5:2)", "((1))", "()"])
def test_bad_shapes(raw):
    with pytest.raises(ConfigError, match="The provided shape is in wrong format"):
        ShapeSetting.parse(raw)


def test_batch_and_layout():
    assert BatchSetting.parse("1:8").dim == Dim(1, 8)
    assert BatchSetting.parse("auto").auto
    assert BatchSetting.parse(4).dim == Dim(4, 4)
    layout = LayoutSetting.parse("nhwc:nchw")
    assert (layout.anonymous.target, layout.anonymous.source) == ("NHWC", "NCHW")
    with pytest.raises(ConfigError, match="layout is in wrong format"):
        LayoutSetting.parse("NNHW")


def _ovms(*args):
    return subprocess.run(
        [sys.executable, "-m", "ovms_core", *args], capture_output=True, text=True, timeout=120
    )


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["serve"], "Use config_path or model_path with model_name"),
        (
            ["serve", "--config_path", "c.json", "--model_name", "a", "--model_path", "/m"],
            "Use either config_path or model_path with model_name",
        ),
        (["serve", "--config_path", "c.json", "--nireq", "2"], "exclusive with the config file"),
        (
            [
                "serve",
                "--model_name",
                "a",
                "--model_path",
                "/m",
                "--port",
                "9000",
                "--rest_port",
                "9000",
            ],
            "port and rest_port cannot have the same values",
        ),
        (
            ["serve", "--model_name", "a", "--model_path", "/m", "--rest_port", "70000"],
            "rest_port number out of range from 0 to 65535",
        ),
        (
            [
                "serve",
                "--model_name",
                "a",
                "--model_path",
                "/m",
                "--rest_port",
                "8",
                "--metrics_list",
                "x",
            ],
            "metrics_enable setting is missing",
        ),
    ],
)
def test_conflicting_flags_exit_with_usage_error(args, message):
    done = _ovms(*args)
    assert done.returncode == 64
    assert message in done.stderr


def test_bad_log_level_is_a_usage_error():
    done = _ovms("serve", "--log_level", "LOUD")
    assert done.returncode == 64
    assert "invalid choice" in done.stderr


def test_validate_names_file_path_and_value(tmp_path):
    path = tmp_path / "config.json"
    path.write_text(json.dumps(_config([{"name": "a", "base_path": "/m", "shape": "(1,x)"}])))
    done = _ovms("validate", "--config_path", str(path))
    assert done.returncode == 1
    assert str(path) in done.stderr
    assert "$.model_config_list[0].config.shape" in done.stderr
    assert "The provided shape is in wrong format" in done.stderr


def test_serve_help_explains_flags():
    done = _ovms("serve", "--help")
    assert done.returncode == 0
    for flag in ("--model_version_policy", "--plugin_config", "--file_system_poll_wait_seconds"):
        assert flag in done.stdout


def test_channel_arguments_parse_integers_and_strings():
    settings = ServerSettings(grpc_channel_arguments="grpc.max_concurrent_streams=8, k=v")
    assert settings.channel_arguments() == {"grpc.max_concurrent_streams": 8, "k": "v"}
    assert ServerSettings().channel_arguments() == {}


def test_malformed_channel_arguments_stop_start_up():
    done = _ovms(
        "validate",
        "--model_name",
        "a",
        "--model_path",
        "/m",
        "--port",
        "9000",
        "--grpc_channel_arguments",
        "novalue",
    )
    assert done.returncode == 1
    assert "Grpc channel arguments passed in wrong format" in done.stderr
    assert "novalue" in done.stderr


def test_a_bad_shape_skips_its_entry_and_a_bad_batch_size_is_ignored():
    config = parse_config(
        _config(
            [
                {"name": "good", "base_path": "/m"},
                {"name": "bad_shape", "base_path": "/m", "shape": "(1,a)"},
                {"name": "bad_batch", "base_path": "/m", "batch_size": "two"},
            ]
        ),
        source="c.json",
    )
    assert [m.name for m in config.models] == ["good", "bad_batch"]
    assert config.models[1].batch_size is None
    shape, batch = (str(p) for p in config.problems)
    assert shape.startswith("c.json: $.model_config_list[1].config.shape: The provided shape")
    assert "$.model_config_list[2].config.batch_size: Wrong batch size parameter" in batch


@pytest.mark.parametrize(
    ("entry", "message"),
    [
        ({"shape": "(1,a)"}, "The provided shape is in wrong format"),
        ({"batch_size": "two"}, "Wrong batch size parameter provided"),
    ],
)
def test_validate_still_fails_on_a_skipped_entry(tmp_path, entry, message):
    path = tmp_path / "config.json"
    path.write_text(json.dumps(_config([{"name": "a", "base_path": "/m", **entry}])))
    done = _ovms("validate", "--config_path", str(path))
    assert done.returncode == 1
    assert message in done.stderr
    assert "Configuration is valid" not in done.stdout


def test_serve_help_shows_defaults():
    done = _ovms("serve", "--help")
    assert done.returncode == 0
    text = " ".join(done.stdout.split("options:", 1)[1].split())
    for flag, default in [
        ("--port PORT", "0"),
        ("--rest_port REST_PORT", "0"),
        ("--log_level {TRACE,DEBUG,INFO,WARNING,ERROR}", "INFO"),
        ("--file_system_poll_wait_seconds FILE_SYSTEM_POLL_WAIT_SECONDS", "1"),
    ]:
        help_text = text.split(flag, 1)[1].split(" --", 1)[0]
        assert f"(default: {default})" in help_text, (flag, help_text)
    assert "(default: None)" not in text


def test_a_misspelled_flag_gets_the_right_name_and_the_serve_usage():
    done = _ovms("serve", "--rest-port", "8000")
    assert done.returncode == 64
    assert "did you mean --rest_port?" in done.stderr
    assert done.stderr.startswith("usage: ovms serve ")
    done = _ovms("--rest-port", "8000")  # the OVMS form, flags only
    assert done.stderr.startswith("usage: ovms serve ")
    assert "did you mean --rest_port?" in done.stderr


def test_a_plugin_flag_without_its_plugin_names_the_distribution():
    done = _ovms("serve", "--workers", "2", "--rest_port", "8000")
    assert done.returncode == 64
    assert "unrecognized arguments: --workers 2" in done.stderr
    assert "--workers: install it with: pip install ovms-workers" in done.stderr
    assert "did you mean" not in done.stderr


def test_settings_workers_is_deprecated_for_the_plugins_option():
    with pytest.warns(DeprecationWarning, match=r"extra\['workers'\] \(ovms-workers\)"):
        assert ServerSettings(extra={"workers": 3}).workers == 3
    with pytest.warns(DeprecationWarning):
        assert ServerSettings().workers == 1


def test_a_misspelled_required_key_gets_the_right_name():
    with pytest.raises(ConfigError) as caught:
        parse_config(_config([{"name": "a", "base_pth": "/m"}]))
    assert (
        "required key 'base_path' is missing; did you mean 'base_path' instead of 'base_pth'?"
        in (str(caught.value))
    )
    with pytest.raises(ConfigError, match="unknown key 'nirq' \\(did you mean 'nireq'\\? allowed:"):
        parse_config(_config([{"name": "a", "base_path": "/m", "nirq": 1}]))
