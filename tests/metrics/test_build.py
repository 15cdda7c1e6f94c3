"""build_metrics: run settings bound not formatted, one transaction, and the SQL layout (one model a file)."""

import datetime as dt
import re

import duckdb
import pytest

from metrics import db
from metrics.build import METRIC_VIEWS, MetricsInputError, build_metrics
from pipelines.config import Project
from tests.metrics.rawrows import Raw, build, one, rows

# The SQL files of the metrics build and the one table or view each creates.
MODELS = {
    "staging/10_stg_run.sql": "stg_run",
    "staging/11_stg_projects.sql": "stg_projects",
    "staging/12_stg_domain_orgs.sql": "stg_domain_orgs",
    "staging/20_stg_events.sql": "stg_events",
    "staging/30_stg_core_reasons.sql": "stg_core_reasons",
    "staging/40_stg_accounts.sql": "stg_accounts",
    "staging/50_stg_items.sql": "stg_items",
    "staging/60_stg_commits.sql": "stg_commits",
    "marts/10_projects.sql": "projects",
    "marts/20_contributions.sql": "contributions",
    "marts/30_contributors.sql": "contributors",
    "marts/40_weekly_activity.sql": "weekly_activity",
    "marts/50_project_metrics.sql": "project_metrics",
}


@pytest.mark.parametrize("path", list(MODELS))
def test_each_sql_file_creates_the_one_model_it_is_named_after_and_says_what_a_row_is(path):
    text = (db.SQL_DIR / path).read_text(encoding="utf-8")
    created = re.findall(r"CREATE OR REPLACE (?:TABLE|VIEW) (\w+)", text)
    assert created == [MODELS[path]]
    assert text.startswith(f"-- {MODELS[path]}: one row")
    # as_of and windows are bound or read from vitals_run, never formatted in
    assert not re.search(r"\d{4}-\d{2}-\d{2}", db.split_statements(text)[0])


def test_every_metric_view_is_queryable_by_its_spec_name_after_a_build():
    con = duckdb.connect()
    Raw(con).project().issue(1, "ann", "2026-07-01")
    counts = build(con)
    assert counts == {
        "projects": 1,
        "contributions": 1,
        "contributors": 1,
        "weekly_activity": 5,  # weeks of 2026-06-29 .. 2026-07-27, four of them empty
        "project_metrics": 3,
        "maintainer_roles": 0,
    }
    assert set(counts) == set(METRIC_VIEWS)


def test_vitals_run_holds_one_row_with_the_bound_as_of_and_source():
    con = duckdb.connect()
    Raw(con).project()
    build(con, as_of=dt.date(2026, 1, 1))
    build(con, as_of=dt.date(2026, 8, 1))
    assert rows(con, "SELECT as_of, source FROM vitals_run") == [(dt.date(2026, 8, 1), "replay")]
    assert one(con, "SELECT DISTINCT as_of FROM project_metrics") == dt.date(2026, 8, 1)


def test_a_registry_project_missing_from_raw_projects_says_which_asset_to_run():
    con = duckdb.connect()
    Raw(con).project()
    with pytest.raises(
        MetricsInputError, match="raw_projects has no row for q: materialise projects_registry first"
    ):
        build_metrics(
            con,
            dt.date(2026, 8, 1),
            "replay",
            [Project("p", "P", ("org/repo",)), Project("q", "Q", ("o/q",))],
        )


def test_only_the_projects_of_the_run_are_built():
    con = duckdb.connect()
    Raw(con, project="kept").project()
    Raw(con, project="dropped", first_id=5000).project()
    build_metrics(con, dt.date(2026, 8, 1), "replay", [Project("kept", "Kept", ("org/repo",))])
    assert rows(con, "SELECT DISTINCT project FROM project_metrics") == [("kept",)]
    assert rows(con, "SELECT project FROM projects") == [("kept",)]


def test_an_unknown_source_is_refused():
    con = duckdb.connect()
    with pytest.raises(ValueError, match="source must be 'live' or 'replay'"):
        build_metrics(con, dt.date(2026, 8, 1), "cache", [Project("p", "P", ("org/repo",))])


def test_a_failing_build_leaves_the_previous_build_in_place(monkeypatch, tmp_path):
    con = duckdb.connect()
    raw = Raw(con).project()
    raw.issue(1, "ann", "2026-07-01")
    build(con, as_of=dt.date(2026, 8, 1))
    broken = tmp_path / "99_broken.sql"
    broken.write_text(
        "-- broken: one row per nothing\nCREATE OR REPLACE VIEW broken AS SELECT * FROM no_such_table;\n"
    )
    real = db.sql_files
    monkeypatch.setattr(db, "sql_files", lambda layer: real(layer) + ([broken] if layer == "marts" else []))
    raw.issue(2, "ben", "2026-07-02")
    with pytest.raises(duckdb.CatalogException):
        build(con, as_of=dt.date(2026, 7, 15))
    assert rows(con, "SELECT as_of FROM vitals_run") == [(dt.date(2026, 8, 1),)]
    assert one(con, "SELECT count(*) FROM contributions") == 1


DOCS = db.SQL_DIR.parent / "docs" / "metrics.md"


def test_the_ad_hoc_sql_of_docs_metrics_md_runs_on_a_build():
    con = duckdb.connect()
    raw = Raw(con).project(core=["ann"])
    raw.issue(1, "ann", "2026-07-01")
    raw.comment(1, "ben", "2026-07-02")
    build(con)
    examples = DOCS.read_text(encoding="utf-8").split("```sql")[1].split("```")[0]
    results = [con.execute(q).fetchall() for q in db.split_statements(examples)]
    assert len(results) == 3
    assert results[1] == [("p", "ann", 1, None, "registry:core")]


def test_docs_metrics_md_names_every_project_metrics_column():
    con = duckdb.connect()
    Raw(con).project()
    build(con)
    columns = [r[0] for r in con.execute("DESCRIBE project_metrics").fetchall()]
    text = DOCS.read_text(encoding="utf-8")
    assert [c for c in columns if f"`{c}`" not in text] == []


def test_a_model_that_changed_kind_since_the_file_was_built_is_replaced(tmp_path):
    sql = tmp_path / "m.sql"
    sql.write_text(
        "-- m: a model that is now a view\nCREATE OR REPLACE VIEW m AS SELECT 2 AS x;\n", encoding="utf-8"
    )
    con = duckdb.connect()
    con.execute("CREATE TABLE m AS SELECT 1 AS x")  # what an older version built
    db.run_sql_file(con, sql)
    assert con.execute("SELECT x FROM m").fetchall() == [(2,)]
    assert con.execute("SELECT count(*) FROM duckdb_views() WHERE view_name = 'm'").fetchone()[0] == 1
