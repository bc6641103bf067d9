import pytest

from ovms_core.config import ConfigError
from ovms_core.config.batching import DynamicBatching
from ovms_core.config.serving_config import parse_config


def _model(**extra):
    return {"model_config_list": [{"config": {"name": "m", "base_path": "/m", **extra}}]}


def test_settings_are_parsed_with_a_default_delay():
    config = parse_config(_model(dynamic_batching={"max_batch_size": 16}))
    assert config.models[0].dynamic_batching == DynamicBatching(16, 0)
    config = parse_config(_model(dynamic_batching={"max_batch_size": 4, "max_queue_delay_us": 500}))
    assert config.models[0].dynamic_batching == DynamicBatching(4, 500)
    assert parse_config(_model()).models[0].dynamic_batching is None


@pytest.mark.parametrize(
    ("raw", "path", "problem"),
    [
        ({}, "$.model_config_list[0].config.dynamic_batching", "required key 'max_batch_size'"),
        (
            {"max_batch_size": 1},
            "$.model_config_list[0].config.dynamic_batching.max_batch_size",
            "expected an integer from 2 to 4096",
        ),
        (
            {"max_batch_size": "8"},
            "$.model_config_list[0].config.dynamic_batching.max_batch_size",
            "expected an integer >= 2",
        ),
        (
            {"max_batch_size": 8, "max_queue_delay_us": -1},
            "$.model_config_list[0].config.dynamic_batching.max_queue_delay_us",
            "expected an integer >= 0",
        ),
        (
            {"max_batch_size": 8, "max_queue_delay_us": 2_000_000},
            "$.model_config_list[0].config.dynamic_batching.max_queue_delay_us",
            "expected an integer from 0 to 1000000",
        ),
        (
            {"max_batch_size": 8, "timeout": 1},
            "$.model_config_list[0].config.dynamic_batching.timeout",
            "unknown key 'timeout'",
        ),
    ],
)
def test_bad_settings_name_their_json_path(raw, path, problem):
    with pytest.raises(ConfigError) as caught:
        parse_config(_model(dynamic_batching=raw))
    assert path in str(caught.value)
    assert problem in str(caught.value)


def test_not_for_stateful_models():
    with pytest.raises(ConfigError, match="not available for stateful models"):
        parse_config(_model(stateful=True, dynamic_batching={"max_batch_size": 8}))
