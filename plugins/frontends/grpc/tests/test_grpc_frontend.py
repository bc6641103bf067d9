"""The frontend driver: contract suite, options, binding, error mapping and the bench hook."""

import grpc
import pytest
from ovms_frontend_grpc._generated.ovms import grpc_predict_v2_pb2 as pb
from ovms_frontend_grpc.errors import grpc_status
from ovms_frontend_grpc.frontend import GrpcFrontend, bind_targets, server_options
from ovms_frontend_grpc.rpc import Malformed, decoder
from ovms_testing.contracts import FrontendContract

from ovms_core import OvmsError, ServerSettings, StatusCode
from ovms_core.plugins.drivers import DriverLoader
from ovms_core.server.hooks import Hooks


class TestGrpcFrontend(FrontendContract):
    @pytest.fixture
    def frontend(self):
        return GrpcFrontend()

    @pytest.fixture
    def settings_for(self):
        return lambda port: ServerSettings(port=port, grpc_bind_address="127.0.0.1")


def test_registered_as_grpc_frontend():
    assert isinstance(DriverLoader().get("frontend", "grpc"), GrpcFrontend)


def test_bench_hook_plugin_loads_with_or_without_ovms_bench():
    hooks = Hooks()  # the ovms_bench_modes hook is optional: its spec comes with ovms-command-bench
    assert "grpc-bench" in hooks.names()


def test_server_options_ovms_defaults_then_user_arguments():
    options = dict(server_options(ServerSettings(port=1)))
    assert options["grpc.max_receive_message_length"] == 1024**3
    assert options["grpc.max_send_message_length"] == 1024**3
    assert options["grpc.so_reuseport"] == 0
    settings = ServerSettings(
        port=1,
        grpc_workers=2,
        grpc_channel_arguments="grpc.max_concurrent_streams=64, grpc.primary_user_agent=x",
    )
    options = dict(server_options(settings))
    assert options["grpc.max_concurrent_streams"] == 64
    assert options["grpc.primary_user_agent"] == "x"
    assert options["grpc.so_reuseport"] == 1


@pytest.mark.parametrize("text", ["novalue", "=1", "a=1,b", "a=b=c"])
def test_malformed_channel_arguments(text):
    with pytest.raises(Exception) as caught:
        ServerSettings(grpc_channel_arguments=text).channel_arguments()
    assert "Grpc channel arguments passed in wrong format" in str(caught.value)


def test_bind_targets_bracket_ipv6():
    settings = ServerSettings(port=9000, grpc_bind_address="0.0.0.0, ::1,localhost,")
    assert bind_targets(settings) == [
        "0.0.0.0:9000",
        "[::1]:9000",
        "localhost:9000",
        "0.0.0.0:9000",
    ]


def test_errors_map_to_the_ovms_grpc_code_with_the_full_message():
    error = OvmsError(StatusCode.INVALID_SHAPE, "Expected: (1,10); Actual: (1,3)")
    assert grpc_status(error) == (
        grpc.StatusCode.INVALID_ARGUMENT,
        "Invalid input shape - Expected: (1,10); Actual: (1,3)",
    )
    assert grpc_status(OvmsError(StatusCode.MODEL_VERSION_NOT_LOADED_YET))[0] == (
        grpc.StatusCode.UNAVAILABLE
    )
    # Codes OVMS sends as UNKNOWN "Unknown error" keep their real message here.
    code, message = grpc_status(OvmsError(StatusCode.INVALID_MISSING_OUTPUT, "Required output: x"))
    assert code == grpc.StatusCode.UNKNOWN
    assert message == "Missing output with specific name - Required output: x"


def test_every_status_code_has_a_grpc_code():
    for code in StatusCode:
        assert isinstance(grpc_status(OvmsError(code))[0], grpc.StatusCode)


def test_decoder_turns_garbage_into_malformed():
    decode = decoder(pb.ModelInferRequest)
    assert decode(pb.ModelInferRequest(model_name="m").SerializeToString()).model_name == "m"
    broken = decode(b"\xff\xff\xff")
    assert isinstance(broken, Malformed)
    assert broken.message == "The request could not be parsed as inference.ModelInferRequest"
