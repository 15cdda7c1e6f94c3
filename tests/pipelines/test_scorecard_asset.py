"""The scorecard asset in Dagster: built after the metric views and the conformance gate, and stopped by the
gate's blocking check when the conformance tables are broken."""

import dagster as dg
import pytest

from pipelines import conformance, definitions, metrics, scorecard
from pipelines.resources import VitalsDuckDB
from tests.pipelines.test_conformance_assets import crawled_rows, seed

ALL = [
    *metrics.assets,
    *metrics.asset_checks,
    *conformance.assets,
    *conformance.asset_checks,
    *scorecard.assets,
]


@pytest.fixture
def resource(db_path):
    return VitalsDuckDB(path=str(db_path))


def materialized(result: dg.ExecuteInProcessResult) -> set[str]:
    return {e.asset_key.to_user_string() for e in result.get_asset_materialization_events()}


def test_the_scorecard_is_built_after_metrics_and_conformance_with_a_grade_per_project(resource):
    seed(resource, crawled_rows("v1.35/gke"))
    result = dg.materialize(ALL, resources={"duckdb": resource}, raise_on_error=False)
    assert "scorecard" in materialized(result)
    with resource.connect(read_only=True) as con:
        rows = con.execute("SELECT project, window_days, grade FROM scorecard ORDER BY project").fetchall()
        windows = con.execute("SELECT count(*) FROM scorecard_windows").fetchall()[0][0]
    assert [(p, w) for p, w, _ in rows] == [("alpha", 90), ("beta", 90)]
    assert all(g for _, _, g in rows)
    assert windows == 2 * 3
    [event] = [
        e for e in result.get_asset_materialization_events() if e.asset_key.to_user_string() == "scorecard"
    ]
    metadata = event.materialization.metadata
    assert metadata["scorecard"].value == 2 and metadata["scorecard_windows"].value == 6
    assert "| alpha |" in metadata["preview_90_days"].value


def test_a_broken_conformance_table_stops_the_scorecard(resource):
    seed(resource, [])  # zero submissions parsed: the blocking check fails
    result = dg.materialize(ALL, resources={"duckdb": resource}, raise_on_error=False)
    assert {"project_metrics", "conformance"} <= materialized(result)
    assert "scorecard" not in materialized(result)


def test_reports_follow_the_scorecard_which_follows_the_gate():
    graph = definitions.defs.resolve_asset_graph()
    parents = lambda key: {k.to_user_string() for k in graph.get(dg.AssetKey(key)).parent_keys}
    assert {"conformance", "project_metrics"} <= parents("scorecard")
    assert "scorecard" in parents("csv_reports")
