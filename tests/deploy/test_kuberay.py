"""deploy/kuberay/: the fields KubeRay's CRDs (ray.io/v1) require, and the wiring between files.

Required fields follow KubeRay's Go types (ray-operator/apis/ray/v1): a RayCluster spec needs
headGroupSpec.{rayStartParams, template}; each worker group needs groupName, minReplicas,
maxReplicas, rayStartParams and template; rayStartParams is a map of strings; a RayJob needs
an entrypoint (unless interactive) and a rayClusterSpec (unless it selects a cluster).
"""

import re
import tomllib
from pathlib import Path
from typing import Any

import pytest

from tests.deploy.conftest import ROOT, load_yaml, load_yaml_documents

KUBERAY = ROOT / "deploy" / "kuberay"
SUBMISSION_MODES = {"K8sJobMode", "HTTPMode", "InteractiveMode", "SidecarMode"}


def check_pod_template(template: dict[str, Any], claimed: frozenset[str] = frozenset()) -> None:
    spec = template["spec"]
    containers = spec["containers"]
    assert containers
    assert len({c["name"] for c in containers}) == len(containers)
    volumes = {v["name"] for v in spec.get("volumes", [])} | claimed
    for container in containers:
        assert container["image"]
        for variable in container.get("env", []):
            assert variable["name"] and ("value" in variable or "valueFrom" in variable)
        mounts = {m["name"] for m in container.get("volumeMounts", [])}
        assert mounts <= volumes, f"{container['name']} mounts undeclared volumes"


def check_ray_start_params(params: dict[str, Any]) -> None:
    assert isinstance(params, dict)
    assert all(isinstance(value, str) for value in params.values()), params


def check_ray_cluster_spec(spec: dict[str, Any]) -> None:
    head = spec["headGroupSpec"]
    check_ray_start_params(head["rayStartParams"])
    check_pod_template(head["template"])
    groups = spec["workerGroupSpecs"]
    assert len({group["groupName"] for group in groups}) == len(groups)
    for group in groups:
        check_ray_start_params(group["rayStartParams"])
        check_pod_template(group["template"])
        assert 0 <= group["minReplicas"] <= group.get("replicas", 0) <= group["maxReplicas"]
    assert spec["authOptions"]["mode"] == "token"
    major, minor, *_ = (int(part) for part in spec["rayVersion"].split("."))
    assert (major, minor) >= (2, 52), "Ray token authentication needs Ray 2.52"


@pytest.fixture(scope="module")
def raycluster() -> dict[str, Any]:
    return load_yaml(KUBERAY / "raycluster.yaml")


@pytest.fixture(scope="module")
def rayjob() -> dict[str, Any]:
    return load_yaml(KUBERAY / "rayjob.yaml")


def test_raycluster_has_the_required_fields(raycluster: dict[str, Any]) -> None:
    assert (raycluster["apiVersion"], raycluster["kind"]) == ("ray.io/v1", "RayCluster")
    assert raycluster["metadata"]["name"]
    check_ray_cluster_spec(raycluster["spec"])


def test_rayjob_has_the_required_fields(rayjob: dict[str, Any]) -> None:
    assert (rayjob["apiVersion"], rayjob["kind"]) == ("ray.io/v1", "RayJob")
    spec = rayjob["spec"]
    assert spec["entrypoint"].startswith("oasis run ")
    assert spec.get("submissionMode", "K8sJobMode") in SUBMISSION_MODES
    assert spec["shutdownAfterJobFinishes"] is True
    check_ray_cluster_spec(spec["rayClusterSpec"])


def test_rayjob_runs_the_cluster_that_raycluster_describes(
    raycluster: dict[str, Any], rayjob: dict[str, Any]
) -> None:
    assert rayjob["spec"]["rayClusterSpec"] == raycluster["spec"]


def test_the_experiment_file_is_mounted_where_the_entrypoint_reads_it(
    rayjob: dict[str, Any],
) -> None:
    head = rayjob["spec"]["rayClusterSpec"]["headGroupSpec"]["template"]["spec"]
    experiment = rayjob["spec"]["entrypoint"].split()[2]
    workdir = "/home/oasis"  # the image's WORKDIR
    volumes = {v["name"]: v for v in head["volumes"]}
    mounts = {m["mountPath"]: m["name"] for m in head["containers"][0]["volumeMounts"]}
    folder = f"{workdir}/{experiment.rsplit('/', 1)[0]}"
    assert "configMap" in volumes[mounts[folder]]
    assert "WORKDIR /home/oasis" in (ROOT / "deploy" / "Dockerfile").read_text()


def test_every_secret_key_is_created_in_the_guide(raycluster: dict[str, Any]) -> None:
    guide = (ROOT / "deploy" / "README.md").read_text()
    created = set(re.findall(r"--from-literal=([a-z-]+)=", guide))
    text = (KUBERAY / "raycluster.yaml").read_text()
    used = set(re.findall(r"secretKeyRef: \{name: oasis-secrets, key: ([a-z-]+)\}", text))
    assert used
    assert used <= created


def test_our_pods_run_our_image_as_non_root(raycluster: dict[str, Any]) -> None:
    version = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]["version"]
    spec = raycluster["spec"]
    templates = [spec["headGroupSpec"]["template"]] + [
        group["template"] for group in spec["workerGroupSpecs"]
    ]
    for template in templates:
        assert template["spec"]["securityContext"]["runAsNonRoot"] is True
        assert {c["image"] for c in template["spec"]["containers"]} == {f"oasis-sim:{version}"}


def test_the_results_volume_claim_exists(raycluster: dict[str, Any]) -> None:
    (claim,) = load_yaml_documents(KUBERAY / "results-pvc.yaml")
    volumes = raycluster["spec"]["headGroupSpec"]["template"]["spec"]["volumes"]
    claims = [
        v["persistentVolumeClaim"]["claimName"] for v in volumes if "persistentVolumeClaim" in v
    ]
    assert claims == [claim["metadata"]["name"]]
    assert claim["kind"] == "PersistentVolumeClaim"


def test_vllm_servers_get_one_gpu_each_and_stable_names() -> None:
    service, statefulset = load_yaml_documents(KUBERAY / "vllm.yaml")
    assert service["spec"]["clusterIP"] == "None"  # headless: vllm-0.vllm, vllm-1.vllm, ...
    assert statefulset["spec"]["serviceName"] == service["metadata"]["name"]
    assert statefulset["kind"] == "StatefulSet"
    pod = statefulset["spec"]["template"]
    assert pod["metadata"]["labels"] == service["spec"]["selector"]
    claims = frozenset(c["metadata"]["name"] for c in statefulset["spec"]["volumeClaimTemplates"])
    check_pod_template(pod, claims)
    (server,) = pod["spec"]["containers"]
    assert server["image"].startswith("vllm/vllm-openai:")
    assert server["resources"]["limits"]["nvidia.com/gpu"] == 1
    flags = {arg.split("=")[0] for arg in server["args"]}
    assert {
        "--enable-prefix-caching",
        "--max-num-seqs",
        "--structured-outputs-config.backend",
    } <= flags
    guide = (ROOT / "deploy" / "README.md").read_text()
    assert "http://vllm-0.vllm:8000/v1" in guide


def test_manifests_hold_no_secret_values() -> None:
    for path in Path(KUBERAY).glob("*.yaml"):
        for document in load_yaml_documents(path):
            assert document["kind"] != "Secret", path
