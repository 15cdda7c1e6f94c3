"""The conformance asset, its checks and the results-folder sensor, run in-process on the fixture files."""

import csv
import datetime as dt
import os
from pathlib import Path

import dagster as dg
import pytest

from pipelines.conformance import asset_checks, assets, conformance, sensors, store
from pipelines.conformance.sensors import conformance_results_sensor
from pipelines.resources import VitalsDuckDB

ROOT = Path(__file__).resolve().parents[2]
FIXTURES = ROOT / "fixtures" / "source" / "conformance"
NOW = dt.datetime(2026, 8, 1)
MUSTS_135 = [
    "dra_support",
    "ai_inference",
    "gang_scheduling",
    "cluster_autoscaling",
    "pod_autoscaling",
    "accelerator_metrics",
    "ai_service_metrics",
    "secure_accelerator_access",
    "robust_controller",
]


def crawled_rows(*platforms: str) -> list[tuple]:
    """raw_conformance_files as the crawler leaves it on the fixtures: copied files plus evidence placeholders.

    With `platforms` ('v1.35/gke'), only the checklists and those submission folders (a faster run).
    """
    rows = {}
    for path in sorted(FIXTURES.rglob("*")):
        rel = path.relative_to(FIXTURES).as_posix()
        if path.is_file() and store.LOCAL_PATHS.match(rel):
            data = path.read_bytes()
            rows[rel] = (store.GITHUB_SOURCE, rel, "sha", len(data), data, NOW)
    with (FIXTURES / "evidence_files.csv").open() as fh:
        for r in csv.DictReader(fh):
            rows.setdefault(
                r["path"], (store.GITHUB_SOURCE, r["path"], "sha", int(r["size"]), b"placeholder", NOW)
            )
    if platforms:
        keep = ("docs/", *(f"{p}/" for p in platforms))
        rows = {k: v for k, v in rows.items() if k.startswith(keep)}
    return list(rows.values())


@pytest.fixture
def duckdb_resource():
    return VitalsDuckDB()  # VITALS_DB points into tmp_path (tests/conftest.py)


def seed(resource: VitalsDuckDB, rows: list[tuple] | None = None) -> None:
    with resource.connect() as con:
        con.execute("DELETE FROM raw_conformance_files")
        if rows:
            con.executemany("INSERT INTO raw_conformance_files VALUES (?, ?, ?, ?, ?, ?)", rows)


def query(resource: VitalsDuckDB, sql: str, params=None) -> list[tuple]:
    with resource.connect(read_only=True) as con:
        return con.execute(sql, params or {}).fetchall()


@dg.asset(deps=[conformance])
def scorecard_stub() -> None:
    """Stands in for the scorecard: it must not be built from a broken conformance table."""


def run(resource: VitalsDuckDB) -> dg.ExecuteInProcessResult:
    return dg.materialize(
        [*assets, *asset_checks, scorecard_stub], resources={"duckdb": resource}, raise_on_error=False
    )


def check_results(result: dg.ExecuteInProcessResult) -> dict[str, dg.AssetCheckEvaluation]:
    return {e.check_name: e for e in result.get_asset_check_evaluations()}


def materialized(result: dg.ExecuteInProcessResult) -> set[str]:
    return {e.asset_key.to_user_string() for e in result.get_asset_materialization_events()}


def junit(failing: str | None = None) -> bytes:
    failure = "<failure message='no'/>"
    cases = "".join(
        f'<testcase name="{rid}">{failure if rid == failing else ""}</testcase>' for rid in MUSTS_135
    )
    return f"<testsuites><testsuite>{cases}</testsuite></testsuites>".encode()


def write(folder: Path, rel: str, data: bytes) -> Path:
    path = folder / rel
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(data)
    return path


# --------------------------------------------------------------------------------------------- the asset


def test_the_asset_builds_the_views_from_the_crawled_files(duckdb_resource):
    seed(duckdb_resource, crawled_rows())
    result = run(duckdb_resource)
    assert result.success
    assert materialized(result) == {"conformance", "scorecard_stub"}
    meta = result.asset_materializations_for_node("conformance")[0].metadata
    assert meta["conformance_submissions"].value == 60
    assert meta["conformance_gate"].value == 4
    checks = check_results(result)
    assert checks["conformance_tables_sound"].passed
    # Real submissions are invalid for real reasons: reported and quarantined, never blocking.
    assert not checks["crawled_submissions_valid"].passed
    assert checks["crawled_submissions_valid"].severity == dg.AssetCheckSeverity.WARN
    assert checks["local_results_valid"].passed
    gate = dict(query(duckdb_resource, "SELECT project, gate FROM conformance_gate"))
    assert gate == {"kaito": "PASS", "kueue": "PASS", "volcano": "PASS", "kai-scheduler": "PASS"}
    # The numbers docs/conformance.md quotes: submissions citing each project for gang_scheduling, and valid ones.
    rows = query(
        duckdb_resource,
        "SELECT project, count(*), count(*) FILTER (WHERE submission_valid) FROM conformance_citations "
        "WHERE requirement_id = 'gang_scheduling' GROUP BY project ORDER BY project",
    )
    assert rows == [("kai-scheduler", 9, 6), ("kueue", 32, 18), ("volcano", 10, 7)]
    valid = query(
        duckdb_resource, "SELECT count(*) FILTER (WHERE valid), count(*) FROM conformance_submissions"
    )
    assert valid == [(31, 60)]


def test_local_results_are_rows_of_their_own_beside_the_crawled_ones(duckdb_resource, tmp_path, monkeypatch):
    results = tmp_path / "results"
    write(results, "v1.35/gke/PRODUCT.yaml", (FIXTURES / "v1.35" / "gke" / "PRODUCT.yaml").read_bytes())
    write(results, "v1.35/gke/junit_01.xml", junit(failing="gang_scheduling"))
    write(results, "notes.txt", b"not in the repo layout: ignored")
    monkeypatch.setenv("VITALS_CONFORMANCE_DIR", str(results))
    seed(duckdb_resource, crawled_rows("v1.35/gke"))
    result = run(duckdb_resource)
    assert result.success
    rows = query(
        duckdb_resource,
        "SELECT source, valid, reason_codes FROM conformance_submissions "
        "WHERE version = 'v1.35' AND platform = 'gke' ORDER BY source",
    )
    assert rows == [
        (store.GITHUB_SOURCE, True, ""),
        (f"junit:local:{results}", False, "must_not_implemented"),
        (f"local:{results}", True, ""),
    ]
    assert not check_results(result)["local_results_valid"].passed
    assert query(duckdb_resource, "SELECT count(*) FROM raw_conformance_files WHERE path = 'notes.txt'") == [
        (0,)
    ]


def test_hostile_local_files_become_reasons_and_nothing_outside_is_read(
    duckdb_resource, tmp_path, monkeypatch
):
    results = tmp_path / "results"
    big = write(results, "v1.35/big/PRODUCT.yaml", b"")
    with big.open("wb") as fh:
        fh.truncate(50 * 1024 * 1024)  # 50 MB: hashed in chunks, never stored
    doc = (FIXTURES / "v1.35" / "gke" / "PRODUCT.yaml").read_text(encoding="utf-8")
    doc = doc.replace(
        '"https://cloud.google.com/kubernetes-engine/docs/tutorials/kueue-intro"', '"../../etc/passwd"'
    )
    write(results, "v1.35/escape/PRODUCT.yaml", doc.encode())
    write(results, "v1.35/garbage/PRODUCT.yaml", os.urandom(2048) + b"\0")
    write(results, "v1.35/empty/PRODUCT.yaml", b"")
    (results / "v1.35" / "link").mkdir()
    os.symlink("/etc/passwd", results / "v1.35" / "link" / "PRODUCT.yaml")
    monkeypatch.setenv("VITALS_CONFORMANCE_DIR", str(results))
    seed(duckdb_resource, crawled_rows("v1.35/gke"))
    assert run(duckdb_resource).success
    rows = dict(
        query(
            duckdb_resource,
            "SELECT platform, reason_codes FROM conformance_submissions WHERE source LIKE 'local:%'",
        )
    )
    assert rows == {
        "big": "too_large",
        "escape": "evidence_path_outside",
        "garbage": "not_text",
        "empty": "empty_file",
    }
    stored = query(
        duckdb_resource, "SELECT size, content IS NULL FROM raw_conformance_files WHERE path LIKE '%big%'"
    )
    assert stored == [(50 * 1024 * 1024, True)]


def test_local_rows_follow_the_folder(duckdb_resource, tmp_path, monkeypatch):
    results = tmp_path / "results"
    product = write(
        results, "v1.35/gke/PRODUCT.yaml", (FIXTURES / "v1.35" / "gke" / "PRODUCT.yaml").read_bytes()
    )
    monkeypatch.setenv("VITALS_CONFORMANCE_DIR", str(results))
    with duckdb_resource.connect() as con:
        assert store.ingest_local_dir(con, results) == (1, [])
        product.unlink()
        assert store.ingest_local_dir(con, results) == (0, [])
        assert con.execute("SELECT count(*) FROM raw_conformance_files").fetchall() == [(0,)]


def test_a_bug_in_one_rule_quarantines_only_that_submission(monkeypatch):
    def broken(data, version, platform, *args):
        if platform == "gke":
            raise KeyError("oops")
        return real_parse(data, version, platform, *args)

    real_parse = store.cf.parse_submission
    monkeypatch.setattr(store.cf, "parse_submission", broken)
    files = {r[1]: r[4] for r in crawled_rows("v1.35/gke", "v1.35/aks")}
    _, parsed, _ = store.parse_sources({store.GITHUB_SOURCE: files})
    outcome = {p.submission.platform: [r.code for r in p.submission.reasons] for p in parsed}
    assert outcome == {"aks": [], "gke": ["parse_failed"]}


# -------------------------------------------------------------------------------------- blocking check


def test_a_version_without_its_checklist_blocks_the_scorecard(duckdb_resource):
    rows = [r for r in crawled_rows("v1.36/aks") if r[1] != "docs/AIConformance-1.36.yaml"]
    seed(duckdb_resource, rows)
    result = run(duckdb_resource)
    sound = check_results(result)["conformance_tables_sound"]
    assert not sound.passed
    assert "AIConformance-1.36.yaml" in sound.description
    assert materialized(result) == {"conformance"}  # the stub downstream never ran


def test_no_submissions_at_all_blocks_the_scorecard(duckdb_resource):
    seed(duckdb_resource, [])
    result = run(duckdb_resource)
    assert not check_results(result)["conformance_tables_sound"].passed
    assert "scorecard_stub" not in materialized(result)


def test_unparseable_submissions_and_duplicate_keys_are_structural_faults(duckdb_resource):
    seed(duckdb_resource, [(store.GITHUB_SOURCE, "v1.35/x/PRODUCT.yaml", "sha", 3, b"\0\0\0", NOW)])
    with duckdb_resource.connect() as con:
        store.build(con, {"kueue": ("kueue",)})
        problems = store.table_problems(con)
        assert any("none of the 1 submissions could be parsed" in p for p in problems)
        con.execute(
            "CREATE OR REPLACE VIEW conformance_gate AS SELECT 'kueue' AS project UNION ALL SELECT 'kueue'"
        )
        assert any("conformance_gate: 1 duplicate key" in p for p in store.table_problems(con))
        con.execute("DROP VIEW conformance_citations")
        assert store.table_problems(con)[-1].startswith("the conformance tables cannot be read")


# ---------------------------------------------------------------------------------------------- sensor


def evaluate(cursor: str | None):
    context = dg.build_sensor_context(cursor=cursor)
    return conformance_results_sensor(context), context.cursor


def test_the_sensor_requests_a_run_when_a_file_appears_or_changes_and_not_otherwise(tmp_path, monkeypatch):
    results = tmp_path / "results"
    results.mkdir()
    monkeypatch.setenv("VITALS_CONFORMANCE_DIR", str(results))
    reply, cursor = evaluate(None)
    assert isinstance(reply, dg.SkipReason)

    write(results, "v1.35/lab/junit_01.xml", junit())
    reply, cursor = evaluate(cursor)
    assert isinstance(reply, dg.RunRequest)
    assert reply.tags["vitals/conformance_changes"] == "1 added"

    reply, cursor = evaluate(cursor)
    assert isinstance(reply, dg.SkipReason)  # nothing changed

    write(results, "v1.35/lab/junit_01.xml", junit(failing="gang_scheduling"))
    reply, cursor = evaluate(cursor)
    assert isinstance(reply, dg.RunRequest)
    assert reply.tags["vitals/conformance_changes"] == "1 changed"

    (results / "v1.35" / "lab" / "junit_01.xml").unlink()
    reply, cursor = evaluate(cursor)
    assert isinstance(reply, dg.RunRequest)  # the local rows must go too
    assert evaluate(cursor)[0].__class__ is dg.SkipReason


def test_the_sensor_skips_without_a_results_folder():
    reply, _ = evaluate(None)
    assert isinstance(reply, dg.SkipReason) and "VITALS_CONFORMANCE_DIR" in reply.skip_message


def test_the_sensor_targets_the_conformance_asset_and_downstream(duckdb_resource):
    defs = dg.Definitions(
        assets=[*assets, scorecard_stub],
        asset_checks=asset_checks,
        sensors=sensors,
        resources={"duckdb": duckdb_resource},
    )
    dg.Definitions.validate_loadable(defs)
    repo = defs.get_repository_def()
    job = repo.get_job(repo.get_sensor_def("conformance_results_sensor").job_name)
    assert {k.to_user_string() for k in job.asset_layer.selected_asset_keys} == {
        "conformance",
        "scorecard_stub",
    }
    assert "conformance_conformance_tables_sound" in job.graph.node_dict  # the checks run in that job too
