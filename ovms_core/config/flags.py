"""The ``ovms serve`` flags with OVMS names and defaults, and their cross-checks."""

from __future__ import annotations

import argparse
import os
from dataclasses import dataclass

from ovms_core.base.status_codes import StatusCode
from ovms_core.config.errors import ConfigError
from ovms_core.config.model_config import ModelConfig
from ovms_core.config.server_settings import ServerSettings
from ovms_core.config.serving_config import ENTRY_CODES, ServingConfig, load_config_file

__all__ = ["EVENT_LOOPS", "LOG_LEVELS", "add_server_flags", "check_listeners", "settings_from_args"]

EVENT_LOOPS = ("auto", "uvloop", "asyncio")
"""``--event_loop`` choices; ``auto`` is uvloop when it is installed."""

LOG_LEVELS = ("TRACE", "DEBUG", "INFO", "WARNING", "ERROR")
MODEL_FLAGS = (
    "model_name",
    "model_path",
    "batch_size",
    "shape",
    "layout",
    "mean",
    "scale",
    "color_format",
    "precision",
    "model_version_policy",
    "nireq",
    "target_device",
    "plugin_config",
    "stateful",
    "idle_sequence_cleanup",
    "low_latency_transformation",
    "max_sequence_number",
)


def _bool(text: str) -> bool:
    lowered = text.lower()
    if lowered in ("1", "true", "yes", "on"):
        return True
    if lowered in ("0", "false", "no", "off"):
        return False
    raise argparse.ArgumentTypeError(f"expected true or false, got {text!r}")


def _uint(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a non-negative integer, got {text!r}") from None
    if value < 0:
        raise argparse.ArgumentTypeError(f"expected a non-negative integer, got {text!r}")
    return value


def _flag(group: argparse._ArgumentGroup, name: str, help_text: str) -> None:
    group.add_argument(
        f"--{name}", type=_bool, nargs="?", const=True, default=None, metavar="BOOL", help=help_text
    )


def add_server_flags(parser: argparse.ArgumentParser) -> None:
    """Register every server, multi-model and single-model flag on ``parser``."""
    server = parser.add_argument_group("server")
    server.add_argument("--port", type=_uint, default=0, help="gRPC port; 0 disables gRPC")
    server.add_argument(
        "--grpc_bind_address", default="0.0.0.0", help="comma list of addresses for gRPC"
    )
    server.add_argument("--rest_port", type=_uint, default=0, help="REST port; 0 disables REST")
    server.add_argument(
        "--rest_bind_address", default="0.0.0.0", help="comma list of addresses for REST"
    )
    server.add_argument(
        "--grpc_workers", type=_uint, default=1, help="gRPC server instances (1..CPU cores)"
    )
    server.add_argument(
        "--grpc_channel_arguments", default="", help="gRPC channel arguments as k1=v1,k2=v2"
    )
    server.add_argument(
        "--rest_workers", type=_uint, default=None, help="REST worker threads (2..10000)"
    )
    server.add_argument(
        "--rest_body_memory_quota",
        type=_uint,
        default=2147483648,
        help="bytes of request bodies held at once over REST, beyond which requests get 503;"
        " 0 disables (this project's addition; default: %(default)s)",
    )
    server.add_argument(
        "--shutdown_timeout_seconds",
        type=_uint,
        default=30,
        help="on SIGTERM, how long running requests and answers being sent may take before"
        " connections close (this project's addition; default: %(default)s)",
    )
    server.add_argument(
        "--log_level", default="INFO", type=str.upper, choices=LOG_LEVELS, help="log verbosity"
    )
    server.add_argument("--log_path", default="", help="also write the log to this file")
    server.add_argument(
        "--file_system_poll_wait_seconds",
        type=_uint,
        default=1,
        help="seconds between checks of the config file and version folders; 0 disables",
    )
    server.add_argument(
        "--sequence_cleaner_poll_wait_minutes",
        type=_uint,
        default=5,
        help="minutes between idle-sequence cleanups of stateful models; 0 disables",
    )
    server.add_argument(
        "--cache_dir",
        default="/opt/cache" if os.path.isdir("/opt/cache") else "",
        help="OpenVINO compiled-model cache folder (default /opt/cache when it exists)",
    )
    server.add_argument(
        "--warmup_inferences",
        type=_uint,
        default=1,
        help="inferences on generated data each model version runs before it serves; 0 disables",
    )
    server.add_argument(
        "--event_loop",
        choices=EVENT_LOOPS,
        default="auto",
        help="asyncio event loop: uvloop (pip install 'ovms-core[uvloop]'), asyncio, or auto: "
        "uvloop when installed",
    )
    _flag(server, "metrics_enable", "serve Prometheus metrics on /metrics of the REST port")
    server.add_argument("--metrics_list", default="", help="comma list of metric families")
    server.add_argument("--allowed_origins", default="*", help="CORS Access-Control-Allow-Origin")
    server.add_argument("--allowed_methods", default="*", help="CORS Access-Control-Allow-Methods")
    server.add_argument("--allowed_headers", default="*", help="CORS Access-Control-Allow-Headers")
    _flag(server, "allow_credentials", "send Access-Control-Allow-Credentials: true")
    server.add_argument(
        "--api_key_file",
        default="",
        help="file of API keys, one per line (# comments); every request but health must send "
        "Authorization: Bearer <key>; re-read on change; env API_KEY when unset",
    )
    _flag(server, "metrics_require_api_key", "/metrics needs the API key too (default true)")
    _flag(server, "allow_model_control", "let the repository API load and unload models")
    server.add_argument(
        "--model_repository_path",
        default="",
        help="folder whose subdirectories are models the repository API can load",
    )
    server.add_argument(
        "--ssl_cert_file", default="", help="PEM certificate chain: TLS on the REST and gRPC ports"
    )
    server.add_argument("--ssl_key_file", default="", help="PEM private key of --ssl_cert_file")
    server.add_argument(
        "--ssl_client_ca_file",
        default="",
        help="PEM CA bundle: clients must present a certificate it signed (mutual TLS)",
    )

    multi = parser.add_argument_group("multi-model")
    multi.add_argument("--config_path", default="", help="config.json with the models to serve")

    single = parser.add_argument_group("single model")
    single.add_argument("--model_name", default=None, help="name the model is served under")
    single.add_argument(
        "--model_path",
        default=None,
        help="folder (or s3://, gs://, az:// URL) with version folders",
    )
    single.add_argument(
        "--batch_size", default=None, help="batch size: a number, a range such as 1:8, -1, or auto"
    )
    single.add_argument(
        "--shape",
        default=None,
        help='input shape: "(1,3,224,224)", "auto", or a JSON object by input name',
    )
    single.add_argument(
        "--layout", default=None, help='layout such as "NHWC:NCHW", or a JSON object by tensor name'
    )
    single.add_argument(
        "--mean", default=None, help="value or per-channel list subtracted (needs --layout)"
    )
    single.add_argument(
        "--scale", default=None, help="value or per-channel list divided by (needs --layout)"
    )
    single.add_argument(
        "--color_format",
        default=None,
        help="TARGET:SOURCE color formats (RGB, BGR, GRAY, NV12, NV12_2, I420, I420_3; "
        "needs --layout)",
    )
    single.add_argument(
        "--precision",
        default=None,
        help="TARGET:SOURCE precisions, e.g. uint8:fp32: the client sends TARGET (needs --layout)",
    )
    single.add_argument(
        "--model_version_policy",
        default=None,
        help='JSON policy: {"latest": {"num_versions": 1}} (default), {"all": {}}, '
        '{"specific": {"versions": [1, 3]}}',
    )
    single.add_argument(
        "--nireq", type=_uint, default=None, help="infer requests per version; 0 = device optimum"
    )
    single.add_argument(
        "--target_device", default=None, help="CPU (default), GPU, NPU, AUTO:..., MULTI:..."
    )
    single.add_argument(
        "--plugin_config", default=None, help='OpenVINO properties as JSON, e.g. {"NUM_STREAMS": 2}'
    )
    _flag(single, "stateful", "serve the model as stateful")
    _flag(single, "idle_sequence_cleanup", "drop idle sequences (stateful only; default true)")
    _flag(single, "low_latency_transformation", "apply the low-latency transform (stateful only)")
    single.add_argument(
        "--max_sequence_number", type=_uint, default=None, help="sequence limit (stateful only)"
    )


@dataclass(frozen=True)
class Startup:
    """The settings and initial configuration ``ovms serve`` runs with."""

    settings: ServerSettings
    config: ServingConfig


def settings_from_args(args: argparse.Namespace, extra_names: tuple[str, ...] = ()) -> Startup:
    """Cross-check the flags and build the server settings and the initial configuration."""
    _check_ports(args)
    single_values = {name: getattr(args, name) for name in MODEL_FLAGS}
    given = {k: v for k, v in single_values.items() if v is not None}
    if args.config_path:
        if "model_name" in given or "model_path" in given:
            raise _usage("Use either config_path or model_path with model_name")
        if given:
            raise _usage("Model parameters in CLI are exclusive with the config file")
        config = load_config_file(args.config_path)
    elif args.model_repository_path and not given:
        config = ServingConfig()
    else:
        if not (args.model_name and args.model_path):
            raise _usage("Use config_path or model_path with model_name")
        given["name"] = given.pop("model_name")
        given["base_path"] = given.pop("model_path")
        problems: list[ConfigError] = []
        try:
            models: tuple[ModelConfig, ...] = (ModelConfig.from_values(given, (), "", problems),)
        except ConfigError as error:
            if error.code not in ENTRY_CODES:
                raise ConfigError(f"command line: {error}", code=error.code) from None
            problems.append(error)  # as for a config entry: logged, the server still starts
            models = ()
        config = ServingConfig(
            models=models,
            problems=tuple(ConfigError(f"command line: {p}", code=p.code) for p in problems),
        )
    metrics_enable = bool(args.metrics_enable) or config.metrics_enable
    metrics_list = tuple(m for m in args.metrics_list.split(",") if m) or config.metrics_list
    if args.metrics_list and not args.metrics_enable:
        raise _usage("metrics_enable setting is missing, required when metrics_list is provided")
    if metrics_enable and not args.rest_port:
        raise _usage("rest_port setting is missing, metrics are enabled on rest port")
    settings = ServerSettings(
        port=args.port,
        grpc_bind_address=args.grpc_bind_address,
        rest_port=args.rest_port,
        rest_bind_address=args.rest_bind_address,
        grpc_workers=args.grpc_workers,
        grpc_channel_arguments=args.grpc_channel_arguments,
        rest_workers=args.rest_workers,
        rest_body_memory_quota=args.rest_body_memory_quota,
        shutdown_timeout_seconds=args.shutdown_timeout_seconds,
        log_level=args.log_level,
        log_path=args.log_path,
        file_system_poll_wait_seconds=args.file_system_poll_wait_seconds,
        sequence_cleaner_poll_wait_minutes=args.sequence_cleaner_poll_wait_minutes,
        cache_dir=args.cache_dir,
        warmup_inferences=args.warmup_inferences,
        event_loop=args.event_loop,
        metrics_enable=metrics_enable,
        metrics_list=metrics_list,
        allowed_origins=args.allowed_origins,
        allowed_methods=args.allowed_methods,
        allowed_headers=args.allowed_headers,
        allow_credentials=bool(args.allow_credentials),
        api_key_file=args.api_key_file,
        metrics_require_api_key=args.metrics_require_api_key is not False,
        allow_model_control=bool(args.allow_model_control),
        model_repository_path=args.model_repository_path,
        ssl_cert_file=args.ssl_cert_file,
        ssl_key_file=args.ssl_key_file,
        ssl_client_ca_file=args.ssl_client_ca_file,
        config_path=args.config_path,
        extra={name: getattr(args, name) for name in extra_names},
    )
    settings.channel_arguments()  # refuse a malformed --grpc_channel_arguments at start-up
    return Startup(settings, config)


def check_listeners(settings: ServerSettings) -> None:
    """Refuse a server that would listen on no port (checked after the models and their paths)."""
    if settings.port == 0 and settings.rest_port == 0:
        raise _usage(
            "port and rest_port cannot both be 0: nothing would serve the models; "
            "set --port (gRPC) and/or --rest_port (REST)"
        )


def _check_ports(args: argparse.Namespace) -> None:
    for name in ("port", "rest_port"):
        if getattr(args, name) > 65535:
            raise _usage(f"{name} number out of range from 0 to 65535")
    if args.port and args.port == args.rest_port:
        raise _usage("port and rest_port cannot have the same values")
    cores = os.cpu_count() or 1
    if not 1 <= args.grpc_workers <= cores:
        raise _usage(f"grpc_workers count should be from 1 to CPU core count : {cores}")
    if args.rest_workers is not None:
        if not 2 <= args.rest_workers <= 10000:
            raise _usage("rest_workers count should be from 2 to 10000")
        if not args.rest_port:
            raise _usage("rest_workers is set but rest_port is not set")


def _usage(text: str) -> ConfigError:
    return ConfigError(text, code=StatusCode.OPTIONS_USAGE_ERROR)
