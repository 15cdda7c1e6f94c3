"""The metric_views asset and its checks, materialised in-process on hand-made raw rows."""

import dagster as dg
import duckdb
import pytest

from metrics.build import METRIC_VIEWS
from pipelines import metrics
from pipelines.metrics.assets import (
    duplicate_keys,
    projects_missing,
    shares_out_of_range,
    weekly_inconsistencies,
)
from pipelines.resources import VitalsDuckDB
from tests.metrics.rawrows import build
from tests.pipelines.metric_rows import fill


def test_metric_views_materialise_and_every_check_passes(db_path):
    result = dg.materialize(
        [*metrics.assets, *metrics.asset_checks], resources={"duckdb": VitalsDuckDB(path=str(db_path))}
    )
    assert result.success
    checks = {e.check_name: e.passed for e in result.get_asset_check_evaluations()}
    assert checks == {
        "contributions_keys_unique": True,
        "contributors_keys_unique": True,
        "weekly_activity_keys_unique": True,
        "project_metrics_keys_unique": True,
        "project_metrics_shares_in_range": True,
        "project_metrics_cover_registry": True,
        "weekly_activity_consistent_with_project_metrics": True,
    }
    rows = {
        m.asset_key.path[-1]: m.metadata["rows"].value
        for m in result.asset_materializations_for_node("metric_views")
    }
    # alpha: issue, PR, comment, 2 commits; beta: an issue -> 6 contributions; zoe, ann, the bot, bob -> 4 logins
    assert rows == {
        "maintainer_roles": 1,
        "projects": 2,
        "contributions": 6,
        "contributors": 4,
        "weekly_activity": 5 + 11,  # alpha: 2026-06-29 .. 07-27; beta: 2026-05-18 .. 07-27
        "project_metrics": 6,
    }
    with duckdb.connect(str(db_path), read_only=True) as con:
        assert con.execute(
            "SELECT project, contributions, external_share, bot_share FROM project_metrics "
            "WHERE window_days = 30 ORDER BY project"
        ).fetchall() == [
            ("alpha", 4, 0.25, 0.2),
            ("beta", 0, None, None),
        ]  # alpha: zoe's 1 of 4; the bot 1 of 5


def test_project_metrics_materialisation_carries_a_markdown_preview(db_path):
    result = dg.materialize(metrics.assets, resources={"duckdb": VitalsDuckDB(path=str(db_path))})
    (event,) = [
        m
        for m in result.asset_materializations_for_node("metric_views")
        if m.asset_key.path == ["project_metrics"]
    ]
    preview = event.metadata["preview_90_days"].value
    assert preview.splitlines()[0].startswith("| project | contributions |")
    assert "| alpha | 4 |" in preview and "| beta | 1 |" in preview


def test_metric_assets_sit_in_the_metrics_group_with_the_duckdb_kind_and_their_upstream_deps():
    (multi,) = metrics.assets
    assert {k.path[-1] for k in multi.keys} == set(METRIC_VIEWS)
    for key in multi.keys:
        assert multi.specs_by_key[key].group_name == "metrics"
        assert "duckdb" in multi.specs_by_key[key].kinds
    upstream = {d.asset_key.path[-1] for spec in multi.specs for d in spec.deps}
    assert {"projects_registry", "github_issues", "github_comments", "github_reviews", "github_commits",
            "maintainer_files"} <= upstream  # fmt: skip


def test_definitions_with_the_metric_assets_and_checks_load():
    defs = dg.Definitions(
        assets=metrics.assets, asset_checks=metrics.asset_checks, resources={"duckdb": VitalsDuckDB()}
    )
    dg.Definitions.validate_loadable(defs)


@pytest.fixture
def built():
    con = duckdb.connect()
    fill(con)
    build(con)
    yield con
    con.close()


def test_duplicate_keys_are_found(built):
    assert duplicate_keys(built, "project_metrics") == []
    built.execute(
        "INSERT INTO project_metrics SELECT * FROM project_metrics WHERE project = 'beta' AND window_days = 30"
    )
    assert [r[:3] for r in duplicate_keys(built, "project_metrics")] == [("beta", built.execute(
        "SELECT as_of FROM vitals_run").fetchall()[0][0], 30)]  # fmt: skip


def test_a_share_outside_0_1_is_found(built):
    assert shares_out_of_range(built) == []
    built.execute("UPDATE project_metrics SET bot_share = 1.5 WHERE project = 'alpha' AND window_days = 90")
    assert shares_out_of_range(built) == [("alpha", 90, "bot_share", 1.5)]


def test_a_registry_project_without_its_three_windows_is_found(built):
    assert projects_missing(built, ["alpha", "beta"]) == []
    built.execute("DELETE FROM project_metrics WHERE project = 'beta' AND window_days = 365")
    assert projects_missing(built, ["alpha", "beta", "gamma"]) == ["beta", "gamma"]


def test_weekly_counts_that_disagree_with_the_window_figures_are_found(built):
    assert weekly_inconsistencies(built) == []
    # a week wholly inside the 30-day window claims more issues than the window holds
    built.execute(
        "UPDATE weekly_activity SET issues_opened = 5 WHERE project = 'alpha' AND week = '2026-07-13'"
    )
    found = weekly_inconsistencies(built)
    assert ("alpha", 30, "issues_opened", 1, 5, 6) in found
    built.execute(
        "UPDATE weekly_activity SET contributions = contributions + 1 WHERE project = 'beta' AND week = '2026-05-18'"
    )
    assert ("beta", None, "contributions (whole history)", 1, 2, 2) in weekly_inconsistencies(built)
