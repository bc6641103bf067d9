"""Flags of the model lifecycle: pre-processing, warm-up, cache; parsed without serving."""

import argparse

import pytest

from ovms_core.config import ConfigError
from ovms_core.config.flags import add_server_flags, settings_from_args
from ovms_core.config.preprocessing import Preprocessing
from ovms_core.config.serving_config import parse_config
from ovms_core.models.loader import uses_auto


def startup(*flags):
    parser = argparse.ArgumentParser()
    add_server_flags(parser)
    model = ["--model_name", "m", "--model_path", "/m"]
    args = parser.parse_args([*model, "--rest_port", "8", *flags])
    return settings_from_args(args)


def test_preprocessing_flags_parse_into_steps():
    model = startup(
        "--layout",
        "NHWC:NCHW",
        "--mean",
        "[123.5, 116, 103.25]",
        "--scale",
        "58.5",
        "--color_format",
        "bgr:rgb",
        "--precision",
        "UINT8:fp32",
    ).config.models[0]
    assert model.preprocessing == Preprocessing(
        mean=(123.5, 116.0, 103.25),
        scale=(58.5,),
        color_format=("BGR", "RGB"),
        precision=("uint8", "fp32"),
    )


def test_no_preprocessing_flags_means_none():
    assert startup().config.models[0].preprocessing is None


@pytest.mark.parametrize("flag", ["--mean", "--scale", "--color_format", "--precision"])
def test_preprocessing_needs_layout(flag):
    value = "RGB" if flag == "--color_format" else "fp32" if flag == "--precision" else "1"
    message = f"{flag} parameter requires --layout to be set"
    with pytest.raises(ConfigError, match=message) as caught:
        startup(flag, value)
    assert caught.value.code.name == "OPTIONS_USAGE_ERROR"


@pytest.mark.parametrize(
    ("flag", "value", "message"),
    [
        ("--mean", "[1, true]", "The provided float is in wrong format"),
        ("--scale", "half", "The provided float is in wrong format"),
        ("--color_format", "RGB:CMYK", "The provided color format is in wrong format"),
        ("--precision", "fp32:fp8", "The provided precision is in wrong format"),
    ],
)
def test_bad_preprocessing_values(flag, value, message):
    with pytest.raises(ConfigError, match=message):
        startup("--layout", "NHWC", flag, value)


def test_preprocessing_keys_stay_out_of_config_files():
    document = {"model_config_list": [{"config": {"name": "a", "base_path": "/m", "mean": "1"}}]}
    with pytest.raises(ConfigError, match="unknown key 'mean'"):
        parse_config(document)


def test_warmup_and_cache_flags():
    assert startup().settings.warmup_inferences == 1
    settings = startup("--warmup_inferences", "0", "--cache_dir", "/tmp/c").settings
    assert (settings.warmup_inferences, settings.cache_dir) == (0, "/tmp/c")


@pytest.mark.parametrize(
    ("extra", "auto"),
    [
        ({}, False),
        ({"shape": "(1,10)"}, False),
        ({"shape": "auto"}, True),
        ({"shape": {"a": "(1,2)", "b": "auto"}}, True),
        ({"batch_size": "auto"}, True),
        ({"batch_size": 4}, False),
    ],
)
def test_auto_settings_are_recognised_for_the_cache_rule(extra, auto):
    document = {"model_config_list": [{"config": {"name": "a", "base_path": "/m", **extra}}]}
    assert uses_auto(parse_config(document).models[0]) is auto
