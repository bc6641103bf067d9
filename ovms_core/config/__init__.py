"""Configuration: CLI flags and config.json parsed into typed settings."""

from ovms_core.config.errors import ConfigError
from ovms_core.config.model_config import ModelConfig
from ovms_core.config.server_settings import ServerSettings
from ovms_core.config.serving_config import ServingConfig, load_config_file
from ovms_core.config.version_policy import VersionPolicy

__all__ = [
    "ConfigError",
    "ModelConfig",
    "ServerSettings",
    "ServingConfig",
    "VersionPolicy",
    "load_config_file",
]
