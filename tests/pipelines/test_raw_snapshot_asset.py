"""raw_snapshot: publishes every raw table as Parquet when VITALS_OBJECT_STORE_URL is set, nothing otherwise."""

import dagster as dg
import duckdb

from metrics import objectstore
from pipelines.reports import raw_snapshot
from pipelines.resources import VitalsDuckDB


@dg.asset(name="scorecard")
def scorecard_stub() -> None:
    """Stands in for the scorecard build the snapshot follows."""


def make_db(path) -> VitalsDuckDB:
    with duckdb.connect(str(path)) as con:
        con.execute("CREATE TABLE raw_issues AS SELECT range AS id, 'o/r' AS repo FROM range(5)")
        con.execute("CREATE TABLE raw_commits AS SELECT 'abc' AS sha, ['x', 'y'] AS parents")
        con.execute("CREATE TABLE project_metrics AS SELECT 1 AS n")  # not raw: not published
    return VitalsDuckDB(path=str(path))


def test_without_a_store_nothing_is_published_and_the_run_says_so(tmp_path, monkeypatch):
    monkeypatch.delenv("VITALS_OBJECT_STORE_URL", raising=False)
    result = dg.materialize(
        [scorecard_stub, raw_snapshot], resources={"duckdb": make_db(tmp_path / "v.duckdb")}
    )
    [event] = [e for e in result.get_asset_materialization_events() if e.asset_key.path == ["raw_snapshot"]]
    assert event.materialization.metadata["published"].value is False


def test_every_raw_table_is_published_and_readable_through_the_latest_pointer(tmp_path, monkeypatch):
    store_dir = tmp_path / "store"
    monkeypatch.setenv("VITALS_OBJECT_STORE_URL", f"file://{store_dir}")
    result = dg.materialize(
        [scorecard_stub, raw_snapshot], resources={"duckdb": make_db(tmp_path / "v.duckdb")}
    )
    [event] = [e for e in result.get_asset_materialization_events() if e.asset_key.path == ["raw_snapshot"]]
    metadata = event.materialization.metadata
    assert metadata["tables"].value == {"raw_commits": 1, "raw_issues": 5} and metadata["rows"].value == 6
    with duckdb.connect() as reader:
        snapshot = objectstore.create_views(reader, objectstore.from_env())
        assert snapshot == metadata["snapshot"].value
        assert reader.execute("SELECT sum(id) FROM raw_issues").fetchall() == [(10,)]
        assert reader.execute("SELECT parents FROM raw_commits").fetchall() == [(["x", "y"],)]


def test_a_malformed_store_url_fails_the_step_with_its_message(tmp_path, monkeypatch):
    monkeypatch.setenv("VITALS_OBJECT_STORE_URL", "s3://")
    result = dg.materialize(
        [scorecard_stub, raw_snapshot],
        resources={"duckdb": make_db(tmp_path / "v.duckdb")},
        raise_on_error=False,
    )
    assert not result.success
    failure = next(e for e in result.all_events if e.event_type_value == "STEP_FAILURE")
    assert "names no bucket" in failure.step_failure_data.error.message
