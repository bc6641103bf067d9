import json
import subprocess
import sys

from ovms_testing.models import dummy_model


def test_fixtures_need_no_import(pytester):
    pytester.makepyfile(
        """
        import json
        import urllib.request

        def test_dummy_answers(ovms_server):
            body = {"inputs": [{"name": "b", "shape": [1, 10], "datatype": "FP32",
                                "data": [1.0] * 10}]}
            request = urllib.request.Request(
                f"{ovms_server.rest_url}/v2/models/dummy/infer", data=json.dumps(body).encode()
            )
            with urllib.request.urlopen(request, timeout=30) as reply:
                assert json.loads(reply.read())["outputs"][0]["data"] == [2.0] * 10
        """
    )
    result = pytester.runpytest_subprocess()
    result.assert_outcomes(passed=1)


def test_servers_stop_after_their_test(pytester):
    pytester.makepyfile(
        """
        started = []

        def test_starts_two(ovms_model_repository, ovms_serve):
            folder = ovms_model_repository.add("m")
            for _ in range(2):
                started.append(ovms_serve("--model_name", "m", "--model_path", str(folder)))
            assert all(server.process.poll() is None for server in started)

        def test_both_stopped():
            assert [server.process.returncode for server in started] == [0, 0]
        """
    )
    result = pytester.runpytest_subprocess()
    result.assert_outcomes(passed=2)


def test_a_server_that_dies_fails_the_test_with_its_log(pytester):
    pytester.makepyfile(
        """
        def test_bad_flag(ovms_serve):
            ovms_serve("--no_such_flag")
        """
    )
    result = pytester.runpytest_subprocess()
    result.assert_outcomes(failed=1)
    result.stdout.fnmatch_lines(
        ["*RuntimeError: server exited with 64:*", "*unrecognized arguments: --no_such_flag*"]
    )


def test_repository_lists_its_models_with_their_options(ovms_model_repository):
    dummy = ovms_model_repository.add("dummy", versions=(1, 2), nireq=2)
    ovms_model_repository.add("wide", dummy_model((1, 20)))
    config = json.loads(ovms_model_repository.config_file(monitoring={}).read_text())
    assert config == {
        "model_config_list": [
            {"config": {"name": "dummy", "base_path": str(dummy), "nireq": 2}},
            {"config": {"name": "wide", "base_path": str(ovms_model_repository.root / "wide")}},
        ],
        "monitoring": {},
    }
    assert sorted(p.name for p in dummy.iterdir()) == ["1", "2"]
    assert sorted(p.name for p in (dummy / "2").iterdir()) == ["model.bin", "model.xml"]


def _python(code):
    return subprocess.run(
        [sys.executable, "-W", "error::DeprecationWarning", "-c", code],
        capture_output=True,
        text=True,
        timeout=60,
    )


def test_the_former_package_warns_and_gives_the_same_objects():
    done = _python(
        "import warnings\n"
        "with warnings.catch_warnings(record=True) as caught:\n"
        "    warnings.simplefilter('always')\n"
        "    from ovms_core.testing.contracts.remote_storage import wait_for\n"
        "    from ovms_core.testing.contracts import DeviceContract\n"
        "    from ovms_core.testing.models import dummy_model\n"
        "import ovms_testing.contracts as contracts, ovms_testing.models as models\n"
        "assert wait_for is contracts.remote_storage.wait_for\n"
        "assert DeviceContract is contracts.DeviceContract\n"
        "assert dummy_model is models.dummy_model\n"
        "print([str(w.message) for w in caught if w.category is DeprecationWarning])\n"
    )
    assert done.returncode == 0, done.stderr
    assert "ovms_core.testing is deprecated: install ovms-testing" in done.stdout


def test_the_former_package_names_the_distribution_when_it_is_absent():
    done = _python("import sys\nsys.modules['ovms_testing'] = None\nimport ovms_core.testing\n")
    assert done.returncode == 1
    assert "ImportError: ovms_core.testing moved to the ovms-testing distribution" in done.stderr


def test_a_contract_suite_runs_by_subclassing(pytester):
    pytester.makepyfile(
        """
        import pytest
        from ovms_testing.contracts import DeviceContract
        from ovms_core.plugins.drivers import DriverLoader

        class TestCpu(DeviceContract):
            @pytest.fixture
            def driver(self):
                return DriverLoader().get("device", "CPU")

            @pytest.fixture
            def target_device(self):
                return "CPU"
        """
    )
    result = pytester.runpytest_subprocess()
    result.assert_outcomes(passed=6, skipped=1)
