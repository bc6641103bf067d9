"""The Helm chart and the Dockerfile: linted, rendered for several value sets, validated."""

from __future__ import annotations

import json
import pathlib
import subprocess
import sys
from typing import Any

import helm_python
import kubernetes_validate
import pytest
import yaml
from ovms_testing.models import dummy_model, save_version

ROOT = pathlib.Path(__file__).resolve().parents[2]
CHART = ROOT / "deploy" / "helm" / "ovms"
# kubernetes-validate's 1.30 and the newest Kubernetes it has schemas for.
KUBE_VERSIONS = ["1.30.0", kubernetes_validate.utils.latest_version()]
CORE_KINDS = {
    "Deployment",
    "Service",
    "ConfigMap",
    "HorizontalPodAutoscaler",
    "PodDisruptionBudget",
}
# checkov's Kubernetes checks that this chart does not meet, each for a reason.
CHECKOV_SKIPS = {
    "CKV_K8S_14": "the image tag is a value; operators pin it",
    "CKV_K8S_15": "pull policy is a value (IfNotPresent suits pinned tags)",
    "CKV_K8S_21": "the namespace comes from helm install --namespace",
    "CKV_K8S_40": "OVMS runs as uid 5000; the image keeps that uid",
    "CKV_K8S_43": "images are referenced by tag, a digest is the operator's choice",
    "CKV_K8S_35": "S3 and Azure credentials are the OVMS environment variables by design",
    "CKV2_K8S_6": "a NetworkPolicy belongs to the cluster's policy, not this chart",
}

VALUE_SETS: dict[str, dict[str, Any]] = {
    "default": {},
    "s3": {
        "repository": {"type": "s3", "url": "s3://models/repo", "existingSecret": "s3-credentials"},
        "models": [{"name": "resnet"}, {"name": "bert", "nireq": 2, "shape": "auto"}],
    },
    "gpu": {
        "gpu": {"enabled": True, "resourceName": "gpu.intel.com/i915", "count": 1},
        "nodeSelector": {"intel.feature.node.kubernetes.io/gpu": "true"},
        "tolerations": [{"key": "gpu", "operator": "Exists", "effect": "NoSchedule"}],
        "extraArgs": ["--allowed_origins=https://app.example"],
        "models": [{"name": "resnet", "target_device": "GPU"}],
    },
    "scaled": {
        "autoscaling": {"enabled": True, "minReplicas": 2, "maxReplicas": 6},
        "podDisruptionBudget": {"enabled": True, "minAvailable": 1},
        "serviceMonitor": {"enabled": True},
        "grafanaDashboard": {"enabled": True},
        "service": {"sessionAffinity": True},
        "repository": {"type": "hostPath", "hostPath": {"path": "/srv/models"}},
        "models": [{"name": "resnet"}],
        "pipelines": [
            {
                "name": "chain",
                "inputs": ["b"],
                "nodes": [
                    {
                        "name": "first",
                        "model_name": "resnet",
                        "type": "DL model",
                        "inputs": [{"b": {"node_name": "request", "data_item": "b"}}],
                        "outputs": [{"data_item": "a", "alias": "a"}],
                    }
                ],
                "outputs": [{"a": {"node_name": "first", "data_item": "a"}}],
            }
        ],
    },
}


def render(values: dict[str, Any]) -> list[dict[str, Any]]:
    """``helm template`` of the chart: every non-empty object."""
    files = helm_python.Chart.load(str(CHART)).render(values=values, name="demo", namespace="ml")
    return [doc for text in files.values() for doc in yaml.safe_load_all(text) if doc]


@pytest.fixture(scope="module", params=sorted(VALUE_SETS))
def rendered(request: pytest.FixtureRequest) -> tuple[str, list[dict[str, Any]]]:
    return request.param, render(VALUE_SETS[request.param])


def test_chart_lints_strict() -> None:
    """``helm lint --strict``: no error and no warning (helm's severities 2 and up)."""
    findings = helm_python.lint(str(CHART), strict=True, kube_version="v1.30.0")
    print(findings)
    assert findings["errors"] == []
    assert [m for m in findings["messages"] if m["severity"] >= 2] == []


@pytest.mark.parametrize("kube_version", KUBE_VERSIONS)
def test_rendered_core_objects_validate_strict(rendered: Any, kube_version: str) -> None:
    _, docs = rendered
    for doc in docs:
        if doc["kind"] in CORE_KINDS:
            kubernetes_validate.validate(doc, kube_version, strict=True)


def test_rendered_objects_per_value_set(rendered: Any) -> None:
    name, docs = rendered
    kinds = sorted(doc["kind"] for doc in docs)
    if name == "scaled":
        assert kinds == sorted(
            [
                "ConfigMap",
                "ConfigMap",
                "Deployment",
                "HorizontalPodAutoscaler",
                "PodDisruptionBudget",
                "Service",
                "ServiceMonitor",
            ]
        )
    else:
        assert kinds == ["ConfigMap", "Deployment", "Service"]
    pod = next(doc for doc in docs if doc["kind"] == "Deployment")["spec"]["template"]["spec"]
    container = pod["containers"][0]
    assert container["securityContext"]["readOnlyRootFilesystem"] is True
    assert pod["securityContext"]["seccompProfile"] == {"type": "RuntimeDefault"}
    assert pod["terminationGracePeriodSeconds"] > 10
    assert {port["name"] for port in container["ports"]} == {"grpc", "http"}
    if name == "s3":
        assert container["envFrom"] == [{"secretRef": {"name": "s3-credentials"}}]
    if name == "gpu":
        assert container["resources"]["limits"]["gpu.intel.com/i915"] == "1"
        assert pod["nodeSelector"] and pod["tolerations"]


def test_rendered_config_passes_ovms_validate(rendered: Any, tmp_path: pathlib.Path) -> None:
    """``ovms validate`` on the rendered config.json; local repositories (the pod's mount path)
    point at model folders made here, bucket URLs stay as rendered."""
    name, docs = rendered
    config = next(doc for doc in docs if doc["metadata"]["name"] == "demo-ovms-config")
    text = config["data"]["config.json"]
    for model in json.loads(text)["model_config_list"]:
        base_path = model["config"]["base_path"]
        if base_path.startswith("/"):
            local = tmp_path / "repository" / model["config"]["name"]
            save_version(dummy_model(), str(local), 1)
            text = text.replace(f'"{base_path}"', json.dumps(str(local)))
    path = tmp_path / "config.json"
    path.write_text(text)
    pod = next(doc for doc in docs if doc["kind"] == "Deployment")["spec"]["template"]["spec"]
    args = [
        f"--config_path={path}" if arg.startswith("--config_path=") else arg
        for arg in pod["containers"][0]["args"]
    ]
    result = subprocess.run(
        [sys.executable, "-m", "ovms_core", "validate", *args],
        capture_output=True,
        text=True,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    if name == "s3":
        models = json.loads(text)["model_config_list"]
        assert [model["config"]["base_path"] for model in models] == [
            "s3://models/repo/resnet",
            "s3://models/repo/bert",
        ]


def test_rendered_objects_pass_checkov(rendered: Any, tmp_path: pathlib.Path) -> None:
    name, docs = rendered
    path = tmp_path / f"{name}.yaml"
    path.write_text(yaml.safe_dump_all(docs))
    result = subprocess.run(
        [
            sys.executable,
            "-m",
            "checkov.main",
            "-f",
            str(path),
            "--framework",
            "kubernetes",
            "--skip-download",
            "--compact",
            "--quiet",
            "--skip-check",
            ",".join(CHECKOV_SKIPS),
        ],
        capture_output=True,
        text=True,
    )
    assert result.returncode == 0, result.stdout + result.stderr


def test_dashboard_is_the_one_in_deploy_grafana() -> None:
    docs = render(VALUE_SETS["scaled"])
    dashboard = next(doc for doc in docs if doc["metadata"]["name"] == "demo-ovms-dashboard")
    shipped = (ROOT / "deploy" / "grafana" / "ovms-dashboard.json").read_text()
    assert json.loads(dashboard["data"]["ovms-dashboard.json"]) == json.loads(shipped)


@pytest.mark.parametrize(
    ("values", "key"),
    [
        ({"replicaCount": "two"}, "replicaCount"),
        ({"repository": {"type": "nfs"}}, "type"),
        ({"autoscalling": {"enabled": True}}, "autoscalling"),
        ({"terminationGracePeriodSeconds": 5}, "terminationGracePeriodSeconds"),
    ],
)
def test_wrong_values_fail_at_render_naming_the_key(values: dict[str, Any], key: str) -> None:
    with pytest.raises(Exception, match=key):
        render(values)


def test_dockerfile_passes_hadolint() -> None:
    result = subprocess.run(
        [
            str(pathlib.Path(sys.executable).parent / "hadolint"),
            *("--failure-threshold", "warning", str(ROOT / "deploy" / "Dockerfile")),
        ],
        capture_output=True,
        text=True,
    )
    assert result.returncode == 0, result.stdout + result.stderr


def test_dockerfile_passes_checkov() -> None:
    # CKV_DOCKER_7: FROM names the BASE_IMAGE build argument, whose default has a fixed tag.
    result = subprocess.run(
        [
            sys.executable,
            "-m",
            "checkov.main",
            "-f",
            str(ROOT / "deploy" / "Dockerfile"),
            "--framework",
            "dockerfile",
            "--skip-download",
            "--compact",
            "--quiet",
            "--skip-check",
            "CKV_DOCKER_7",
        ],
        capture_output=True,
        text=True,
    )
    assert result.returncode == 0, result.stdout + result.stderr
