"""CSV reports: one view written sorted, ISO-dated, UTF-8 and atomically; the csv_reports asset writes what exists."""

import csv
import datetime as dt

import dagster as dg
import duckdb
import polars as pl
import pytest

from pipelines import reports
from pipelines.reports.assets import REPORT_VIEWS, existing_views, report_as_of, write_reports, write_view_csv
from pipelines.resources import VitalsDuckDB
from tests.metrics.rawrows import Raw


@pytest.fixture
def con():
    c = duckdb.connect()
    c.execute(
        """
        CREATE TABLE people AS SELECT * FROM (VALUES
            ('p2', 'zoë', DATE '2026-07-02', TIMESTAMP '2026-07-02 06:30:00', ['a', 'b'], 0.5, true),
            ('p1', 'émile', DATE '2026-07-01', TIMESTAMP '2026-07-01 00:00:00', [], NULL, false),
            ('p1', 'bob', NULL, NULL, ['x'], 1.0, NULL)
        ) AS t(project, login, day, seen_at, tags, share, flag)
        """
    ).fetchall()
    yield c
    c.close()


def test_one_view_is_written_sorted_by_key_with_iso_dates_utf8_and_a_header(con, tmp_path):
    path = tmp_path / "out" / "people.csv"
    assert write_view_csv(con, "people", ("project", "login"), path) == 3
    text = path.read_text(encoding="utf-8")
    assert text.splitlines() == [
        "project,login,day,seen_at,tags,share,flag",
        "p1,bob,,,x,1.0,",
        'p1,émile,2026-07-01,2026-07-01T00:00:00Z,"",,false',  # an empty list is "", NULL is empty
        "p2,zoë,2026-07-02,2026-07-02T06:30:00Z,a; b,0.5,true",
    ]
    assert [p.name for p in path.parent.iterdir()] == ["people.csv"]  # no temporary file left behind


def test_a_failed_write_keeps_the_previous_file_whole(con, tmp_path, monkeypatch):
    path = tmp_path / "reports" / "people.csv"
    write_view_csv(con, "people", ("project", "login"), path)
    before = path.read_bytes()

    def explode(self, file, **kwargs):
        file.write(b"project,lo")
        raise OSError("disk full")

    monkeypatch.setattr(pl.DataFrame, "write_csv", explode)
    with pytest.raises(OSError, match="disk full"):
        write_view_csv(con, "people", ("project", "login"), path)
    assert path.read_bytes() == before
    assert [p.name for p in path.parent.iterdir()] == ["people.csv"]


def test_only_existing_views_are_written_and_the_missing_ones_are_named(tmp_path):
    c = duckdb.connect()
    c.execute(
        "CREATE TABLE project_metrics AS SELECT 'p' AS project, DATE '2026-08-01' AS as_of, 30 AS window_days"
    )
    written, missing = write_reports(c, tmp_path, dt.date(2026, 8, 1))
    assert {v: n for v, (_, n) in written.items()} == {"project_metrics": 1}
    assert written["project_metrics"][0] == tmp_path / "2026-08-01" / "project_metrics.csv"
    assert missing == [v for v in REPORT_VIEWS if v != "project_metrics"]


def test_the_folder_is_named_after_the_as_of_of_the_last_build():
    c = duckdb.connect()
    assert report_as_of(c, dt.date(2026, 1, 1)) == dt.date(2026, 1, 1)  # nothing built yet: the setting
    Raw(c)
    c.execute(
        "INSERT INTO vitals_run VALUES (DATE '2026-08-01', 'replay', TIMESTAMP '2026-08-02 03:00')"
    ).fetchall()
    assert report_as_of(c, dt.date(2026, 1, 1)) == dt.date(2026, 8, 1)


def test_csv_reports_asset_writes_the_metric_views_of_a_build(tmp_path, monkeypatch):
    registry = tmp_path / "projects.yaml"
    registry.write_text("projects:\n  - {slug: p, name: P, repos: [org/repo]}\n", encoding="utf-8")
    monkeypatch.setenv("VITALS_PROJECTS", str(registry))
    monkeypatch.setenv("VITALS_AS_OF", "2026-08-01")
    monkeypatch.setenv("VITALS_REPORTS_DIR", str(tmp_path / "reports"))
    db_path = tmp_path / "vitals.duckdb"
    with duckdb.connect(str(db_path)) as c:
        raw = Raw(c).project()
        raw.issue(1, "ann", "2026-07-10")
        raw.comment(1, "Ben", "2026-07-11")
    from pipelines import metrics

    result = dg.materialize(
        [*metrics.assets, *reports.assets], resources={"duckdb": VitalsDuckDB(path=str(db_path))}
    )
    assert result.success
    folder = tmp_path / "reports" / "2026-08-01"
    with duckdb.connect(str(db_path), read_only=True) as c:
        present = existing_views(c) & set(REPORT_VIEWS)
    assert {p.stem for p in folder.iterdir()} == present
    assert {"project_metrics", "weekly_activity", "contributors"} <= present
    with (folder / "contributors.csv").open(encoding="utf-8", newline="") as fh:
        got = [(r["project"], r["login"], r["class"], r["first_contribution_at"]) for r in csv.DictReader(fh)]
    # sorted by key in byte order, as DuckDB sorts text: upper case first
    assert got == [
        ("p", "Ben", "external", "2026-07-11T00:00:00Z"),
        ("p", "ann", "external", "2026-07-10T00:00:00Z"),
    ]
    with (folder / "project_metrics.csv").open(encoding="utf-8", newline="") as fh:
        metrics_rows = list(csv.DictReader(fh))
    assert [(r["as_of"], r["window_days"], r["contributions"]) for r in metrics_rows] == [
        ("2026-08-01", "30", "2"),
        ("2026-08-01", "90", "2"),
        ("2026-08-01", "365", "2"),
    ]
    (event,) = result.asset_materializations_for_node("csv_reports")
    assert event.metadata["files"].value == len(present)
