"""Server-wide settings (the OVMS server flags)."""

from __future__ import annotations

import warnings
from dataclasses import dataclass, field
from typing import Any

from ovms_core.base.status_codes import StatusCode
from ovms_core.config.errors import ConfigError

__all__ = ["ServerSettings"]


@dataclass(frozen=True)
class ServerSettings:
    """Flags that apply to the whole server, with OVMS names and defaults."""

    port: int = 0
    grpc_bind_address: str = "0.0.0.0"
    rest_port: int = 0
    rest_bind_address: str = "0.0.0.0"
    grpc_workers: int = 1
    grpc_channel_arguments: str = ""
    rest_workers: int | None = None
    reuse_port: bool = False
    """Other processes serve the same ports: frontends bind them with ``SO_REUSEPORT``."""
    rest_body_memory_quota: int = 2147483648
    """Bytes of REST request bodies held at once; beyond it requests get 503 (0: no limit)."""
    shutdown_timeout_seconds: int = 30
    """On SIGTERM, the bound for running requests and answers being written to finish."""
    log_level: str = "INFO"
    log_path: str = ""
    file_system_poll_wait_seconds: int = 1
    sequence_cleaner_poll_wait_minutes: int = 5
    cache_dir: str = ""
    warmup_inferences: int = 1
    """Inferences on generated data each version runs before it becomes AVAILABLE."""
    event_loop: str = "auto"
    """``auto``, ``uvloop`` or ``asyncio`` (``ovms_core.server.event_loop``)."""
    metrics_enable: bool = False
    metrics_list: tuple[str, ...] = ()
    allowed_origins: str = "*"
    allowed_methods: str = "*"
    allowed_headers: str = "*"
    allow_credentials: bool = False
    api_key_file: str = ""
    """Keys requests must carry (one per line); ``API_KEY`` in the environment when empty."""
    metrics_require_api_key: bool = True
    allow_model_control: bool = False
    """Whether the repository API may load and unload models."""
    model_repository_path: str = ""
    ssl_cert_file: str = ""
    ssl_key_file: str = ""
    ssl_client_ca_file: str = ""
    config_path: str = ""
    extra: dict[str, Any] = field(default_factory=dict)
    """Values of options that plugins registered through ``ovms_add_options``."""

    @property
    def workers(self) -> int:
        """Deprecated (one release): ``--workers`` belongs to ``ovms-workers`` (``extra``)."""
        warnings.warn(
            "ServerSettings.workers is deprecated: read extra['workers'] (ovms-workers), or"
            " reuse_port for whether other processes serve the ports",
            DeprecationWarning,
            2,
        )
        return int(self.extra.get("workers", 1))

    def channel_arguments(self) -> dict[str, int | str]:
        """``--grpc_channel_arguments`` (``k1=v1,k2=v2``) as gRPC options.

        A value that parses as an integer is an integer. Raises ``ConfigError``
        (``GRPC_CHANNEL_ARG_WRONG_FORMAT``) for a pair that is not ``key=value``.
        """
        arguments: dict[str, int | str] = {}
        for pair in self.grpc_channel_arguments.split(","):
            if not pair.strip():
                continue
            key, equals, value = (part.strip() for part in pair.partition("="))
            if not equals or not key or "=" in value:
                raise ConfigError(
                    StatusCode.GRPC_CHANNEL_ARG_WRONG_FORMAT.message,
                    source="command line",
                    path=("grpc_channel_arguments",),
                    value=pair,
                    code=StatusCode.GRPC_CHANNEL_ARG_WRONG_FORMAT,
                )
            try:
                arguments[key] = int(value)
            except ValueError:
                arguments[key] = value
        return arguments
