"""Four project partitions crawled at once (multiprocess executor, one run each) equal a serial crawl, row for row."""

import os
import subprocess
import sys
import time

import dagster as dg
import duckdb
import pytest

from pipelines.config import ROOT, load_projects
from pipelines.github import staging
from pipelines.github.crawler import Crawl, crawl_project
from pipelines.github.resources import GitHubResource
from pipelines.github.store import Store

# Two sibling endpoints of every project, run in parallel inside each run and across runs; the
# repositories are crawled serially first (the crawl steps seed their staging file from VITALS_DB). A
# replay of all six endpoints takes minutes on two cores; the staging and merge path is the same for each.
ASSETS = ("github_comments", "maintainer_files")
ENDPOINTS = ("comments", "maintainer_files")
PARTITIONS = ("kaito", "kueue", "volcano", "kai-scheduler")
# Steps fork from one warm process per run instead of each importing Dagster and the project again.
RUN_CONFIG = {
    "execution": {
        "config": {
            "multiprocess": {
                "max_concurrent": 2,
                "start_method": {"forkserver": {"preload_modules": [__name__]}},
            }
        }
    }
}
INSTANCE_YAML = """\
storage:
  sqlite:
    base_dir: {home}/storage
telemetry:
  enabled: false
concurrency:
  pools:
    default_limit: 12
"""
# Columns that say when or in which run a row was written, not what GitHub said.
VOLATILE = {"fetched_at", "resolved_at", "run_id", "updated_at", "started_at", "finished_at"}
TABLES = (
    "raw_repos",
    "raw_repo_names",
    "raw_comments",
    "raw_maintainer_files",
    "crawl_state",
    "raw_crawl_log",
)


def crawl_job():
    """The crawl of ASSETS as a job a step process can rebuild by importing this module."""
    from pipelines.definitions import all_assets, defs

    job = dg.define_asset_job("parallel_crawl", selection=dg.AssetSelection.assets(*ASSETS))
    return dg.Definitions(assets=all_assets, jobs=[job], resources=defs.resources).resolve_job_def(
        "parallel_crawl"
    )


def run_partition(partition: str) -> None:
    """One run, as a backfill launches it: its own process, its steps in processes of their own."""
    with dg.DagsterInstance.get() as instance:
        result = dg.execute_job(dg.reconstructable(crawl_job), instance=instance, run_config=RUN_CONFIG,
                                tags={"dagster/partition": partition})  # fmt: skip
    sys.exit(0 if result.success else 1)


def serial_crawl(db_path, endpoints: tuple[str, ...]) -> None:
    for project in load_projects(ROOT / "pipelines" / "projects.yaml"):
        store = Store(db_path)
        try:
            with GitHubResource(source="replay").client(project.slug, notify=lambda m: None) as client:
                crawl = Crawl(client, store, "serial", notify=lambda m: None, token_label="replay")
                crawl_project(crawl, project, endpoints)
        finally:
            store.close()


def contents(db_path) -> dict[str, list[tuple]]:
    with duckdb.connect(str(db_path), read_only=True) as con:
        out = {}
        for table in TABLES:
            columns = [r[0] for r in con.execute(f"DESCRIBE {table}").fetchall() if r[0] not in VOLATILE]
            out[table] = con.execute(f"SELECT {', '.join(columns)} FROM {table} ORDER BY ALL").fetchall()
        return out


@pytest.mark.timeout(240)
def test_parallel_partition_runs_match_a_serial_crawl_row_for_row(tmp_path, monkeypatch):
    home = tmp_path / "dagster_parallel"
    home.mkdir()
    (home / "dagster.yaml").write_text(INSTANCE_YAML.format(home=home))
    env = {**os.environ, "DAGSTER_HOME": str(home), "VITALS_DB": str(tmp_path / "parallel.duckdb")}
    env.pop("GITHUB_TOKEN", None)
    serial_crawl(tmp_path / "parallel.duckdb", ("repos",))
    monkeypatch.setenv("DAGSTER_HOME", str(home))
    with dg.DagsterInstance.get():
        pass  # creates the instance's tables once, before four processes race to
    started = time.monotonic()
    code = "from tests.pipelines.test_parallel_backfill import run_partition; run_partition({!r})"
    procs = {
        key: subprocess.Popen(
            [sys.executable, "-c", code.format(key)],
            cwd=ROOT,
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
            text=True,
        )
        for key in PARTITIONS
    }
    errors = {key: p.communicate(timeout=220)[1] for key, p in procs.items()}
    parallel_s = time.monotonic() - started
    failed = {key: errors[key][-2000:] for key, p in procs.items() if p.returncode != 0}
    assert not failed, failed

    serial_db = tmp_path / "serial.duckdb"
    started = time.monotonic()
    serial_crawl(serial_db, ("repos", *ENDPOINTS))
    serial_s = time.monotonic() - started
    parallel, serial = contents(tmp_path / "parallel.duckdb"), contents(serial_db)
    for table in TABLES:
        assert parallel[table] == serial[table], table
    assert {r[1] for r in serial["raw_repos"]} == set(PARTITIONS)

    # the runs really overlapped: every one started before any finished
    with dg.DagsterInstance.get() as instance:
        records = instance.get_run_records()
    assert len(records) == len(PARTITIONS)
    assert max(r.start_time for r in records) < min(r.end_time for r in records), "runs did not overlap"
    for key in PARTITIONS:
        assert staging.staging_path(tmp_path / "parallel.duckdb", key).exists()
    print(f"4 partitions: {parallel_s:.1f}s as parallel Dagster runs, {serial_s:.1f}s as a serial crawl")
