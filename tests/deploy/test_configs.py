"""The deployment files hold together offline: Dagster's own schemas for the instance, chart keys for Helm."""

import importlib
import re
import shutil

import dagster as dg
import pytest
import yaml
from dagster._config import validate_config
from dagster._core.instance.config import dagster_instance_config
from dagster._core.run_coordinator import QueuedRunCoordinator

from pipelines.config import ROOT
from pipelines.github.tokens import TOKEN_TAG

DEPLOY = ROOT / "deploy"
VALUES = yaml.safe_load((DEPLOY / "k8s" / "values.yaml").read_text())
PG_ENV = {
    "DAGSTER_POSTGRES_HOST": "db",
    "DAGSTER_POSTGRES_PORT": "5432",
    "DAGSTER_POSTGRES_USER": "dagster",
    "DAGSTER_POSTGRES_PASSWORD": "x",
    "DAGSTER_POSTGRES_DB": "dagster",
}
TOKEN_LIMIT = {"key": TOKEN_TAG, "value": {"applyLimitPerUniqueValue": True}, "limit": 1}

# The keys the official chart (1.13) accepts where Vitals sets values: its values.schema.json forbids others.
CHART_TOP = {
    "dagsterWebserver", "dagster-user-deployments", "postgresql", "generatePostgresqlPasswordSecret",
    "generateCeleryConfigSecret", "rabbitmq", "redis", "flower", "ingress", "imagePullSecrets",
    "computeLogManager", "scheduler", "runLauncher", "pythonLogs", "dagsterDaemon", "busybox", "migrate",
    "telemetry", "serviceAccount", "global", "retention", "concurrency", "additionalInstanceConfig",
    "nameOverride", "fullnameOverride", "rbacEnabled", "dagsterHome", "postgresqlSecretName",
}  # fmt: skip
USER_DEPLOYMENT = {
    "name", "image", "port", "dagsterApiGrpcArgs", "codeServerArgs", "includeConfigInLaunchedRuns", "env",
    "envConfigMaps", "envSecrets", "annotations", "nodeSelector", "affinity", "tolerations",
    "podSecurityContext", "securityContext", "resources", "livenessProbe", "readinessProbe", "startupProbe",
    "labels", "volumeMounts", "volumes", "schedulerName", "initContainers", "sidecarContainers",
    "deploymentStrategy", "deploymentNamespace",
}  # fmt: skip
K8S_RUN_LAUNCHER = {
    "image", "imagePullPolicy", "jobNamespace", "loadInclusterConfig", "kubeconfigFile", "envConfigMaps",
    "envSecrets", "envVars", "volumeMounts", "volumes", "labels", "failPodOnRunFailure", "resources",
    "schedulerName", "securityContext", "runK8sConfig",
}  # fmt: skip
RUN_K8S_CONFIG = {
    "containerConfig",
    "podSpecConfig",
    "podTemplateSpecMetadata",
    "jobSpecConfig",
    "jobMetadata",
}
POSTGRESQL = {
    "postgresqlScheme", "image", "enabled", "postgresqlHost", "postgresqlUsername", "postgresqlPassword",
    "postgresqlDatabase", "postgresqlParams", "service",
}  # fmt: skip
QUEUED = {"maxConcurrentRuns", "tagConcurrencyLimits", "dequeueIntervalSeconds", "dequeueNumWorkers",
          "dequeueUseThreads", "blockOpConcurrencyLimitedRuns"}  # fmt: skip
CONCURRENCY = {"enabled": None, "pools": {"defaultLimit", "granularity", "opGranularityRunBuffer"},
               "runs": {"maxConcurrentRuns", "tagConcurrencyLimits"}}  # fmt: skip


def load_instance(folder, monkeypatch) -> dict:
    """dagster.yaml in `folder`, checked by Dagster's instance schema, with the DAGSTER_POSTGRES_* set."""
    for name, value in PG_ENV.items():
        monkeypatch.setenv(name, value)
    config, _ = dagster_instance_config(str(folder))
    return config


def check_class_configs(config: dict) -> None:
    """Each configurable class's own schema (what DagsterInstance does when it builds them)."""
    from dagster_postgres import DagsterPostgresStorage

    storage = validate_config(DagsterPostgresStorage.config_type(), config["storage"]["postgres"])
    assert storage.success, storage.errors
    coordinator = validate_config(
        QueuedRunCoordinator.config_type(), config["run_coordinator"].get("config", {})
    )
    assert coordinator.success, coordinator.errors


def test_postgres_instance_yaml_passes_dagsters_schema_with_a_per_token_run_limit(tmp_path, monkeypatch):
    shutil.copy(DEPLOY / "postgres" / "dagster.yaml", tmp_path / "dagster.yaml")
    config = load_instance(tmp_path, monkeypatch)
    check_class_configs(config)
    assert config["run_coordinator"]["class"] == "QueuedRunCoordinator"
    assert TOKEN_LIMIT in config["concurrency"]["runs"]["tag_concurrency_limits"]
    assert config["storage"]["postgres"]["postgres_db"]["scheme"] == "postgresql+psycopg2"


def chart_instance(values: dict) -> dict:
    """The parts of dagster.yaml the chart renders from these values (its configmap-instance template):
    PostgreSQL storage from `postgresql`, the queued coordinator, `concurrency`. Not the K8sRunLauncher:
    its schema lives in dagster-k8s, which only the image installs."""
    pg = values["postgresql"]
    queued = values["dagsterDaemon"]["runCoordinator"]["config"]["queuedRunCoordinator"]
    snake = {"dequeueIntervalSeconds": "dequeue_interval_seconds", "dequeueNumWorkers": "dequeue_num_workers",
             "dequeueUseThreads": "dequeue_use_threads"}  # fmt: skip
    runs, pools = values["concurrency"]["runs"], values["concurrency"]["pools"]
    return {
        "storage": {"postgres": {"postgres_db": {
            "username": pg["postgresqlUsername"], "password": {"env": "DAGSTER_PG_PASSWORD"},
            "hostname": pg["postgresqlHost"], "db_name": pg["postgresqlDatabase"], "port": pg["service"]["port"],
            "params": pg["postgresqlParams"],
        }}},
        "run_coordinator": {"module": "dagster._core.run_coordinator", "class": "QueuedRunCoordinator",
                            "config": {snake[k]: v for k, v in queued.items()}},
        "concurrency": {
            "runs": {"max_concurrent_runs": runs["maxConcurrentRuns"],
                     "tag_concurrency_limits": runs["tagConcurrencyLimits"]},
            "pools": {"default_limit": pools["defaultLimit"]},
        },
        "telemetry": {"enabled": values["telemetry"]["enabled"]},
    }  # fmt: skip


def test_helm_values_use_only_keys_the_chart_accepts():
    assert set(VALUES) <= CHART_TOP
    user = VALUES["dagster-user-deployments"]
    assert user["enabled"] and user["enableSubchart"]
    for deployment in user["deployments"]:
        assert set(deployment) <= USER_DEPLOYMENT
        assert {"repository", "tag", "pullPolicy"} <= set(deployment["image"])
        assert isinstance(deployment["port"], int)
    launcher = VALUES["runLauncher"]
    assert launcher["type"] == "K8sRunLauncher" and set(launcher["config"]) == {"k8sRunLauncher"}
    assert set(launcher["config"]["k8sRunLauncher"]) <= K8S_RUN_LAUNCHER
    assert set(launcher["config"]["k8sRunLauncher"]["runK8sConfig"]) <= RUN_K8S_CONFIG
    assert set(VALUES["postgresql"]) <= POSTGRESQL
    coordinator = VALUES["dagsterDaemon"]["runCoordinator"]
    assert coordinator["type"] == "QueuedRunCoordinator"
    assert set(coordinator["config"]["queuedRunCoordinator"]) <= QUEUED
    concurrency = VALUES["concurrency"]
    assert set(concurrency) <= set(CONCURRENCY)
    for block in ("pools", "runs"):
        assert set(concurrency[block]) <= CONCURRENCY[block]
    for limit in concurrency["runs"]["tagConcurrencyLimits"]:
        assert set(limit) <= {"key", "value", "limit"}


def test_helm_instance_passes_dagsters_schema_and_matches_the_postgres_deployment(tmp_path, monkeypatch):
    (tmp_path / "dagster.yaml").write_text(yaml.safe_dump(chart_instance(VALUES)))
    monkeypatch.setenv("DAGSTER_PG_PASSWORD", "x")
    config = load_instance(tmp_path, monkeypatch)
    check_class_configs(config)
    limits = VALUES["concurrency"]["runs"]["tagConcurrencyLimits"]
    assert TOKEN_LIMIT in limits
    plain = yaml.safe_load((DEPLOY / "postgres" / "dagster.yaml").read_text())
    assert plain["concurrency"]["runs"]["tag_concurrency_limits"] == limits


def test_user_code_deployment_serves_the_code_location_and_keeps_data_on_the_volume():
    (deployment,) = VALUES["dagster-user-deployments"]["deployments"]
    flag, module = deployment["dagsterApiGrpcArgs"]
    assert flag == "-m"
    dg.Definitions.validate_loadable(importlib.import_module(module).defs)
    env = {e["name"]: e["value"] for e in deployment["env"]}
    mounts = [m["mountPath"] for m in deployment["volumeMounts"]]
    for name in ("VITALS_DB", "VITALS_REPORTS_DIR"):
        assert any(env[name].startswith(m + "/") for m in mounts), name
    assert {v["name"] for v in deployment["volumes"]} == {m["name"] for m in deployment["volumeMounts"]}
    assert deployment["includeConfigInLaunchedRuns"]["enabled"]  # run pods get the env and the volume


def test_dockerfile_installs_the_deploy_lock_and_serves_the_same_module():
    dockerfile = (DEPLOY / "k8s" / "Dockerfile").read_text()
    assert re.search(r"^FROM python:3\.11-slim$", dockerfile, re.MULTILINE)
    assert "-r deploy/k8s/requirements.lock" in dockerfile
    (deployment,) = VALUES["dagster-user-deployments"]["deployments"]
    assert (
        '"-m", "pipelines.definitions"' in dockerfile
        and deployment["dagsterApiGrpcArgs"][1] == "pipelines.definitions"
    )
    for folder in ("pipelines", "metrics", "sql", "fixtures"):
        assert f"COPY {folder} {folder}" in dockerfile


def pins(path) -> dict[str, str]:
    return dict(re.findall(r"^([a-z0-9_.-]+)==(\S+)$", path.read_text(), re.MULTILINE))


@pytest.mark.parametrize("package", ["dagster", "dagster-postgres", "duckdb", "polars", "httpx"])
def test_image_lock_pins_what_the_test_lock_pins(package):
    image, tested = pins(DEPLOY / "k8s" / "requirements.lock"), pins(ROOT / "requirements.lock")
    assert image[package] == tested[package]
    assert "dagster-k8s" in image
