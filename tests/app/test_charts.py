"""Chart builders: one function per chart, valid Vega-Lite for one project and for several, shared by the docs."""

import polars as pl
import pytest

from app import charts
from app.data import load_snapshot
from app.render_docs import docs_charts


@pytest.fixture(scope="module")
def snap(sample_db_file):
    return load_snapshot(sample_db_file)


def test_every_docs_chart_is_valid_vega_lite_for_all_projects(snap):
    specs = {
        name: chart.to_dict() for name, chart in docs_charts(snap).items()
    }  # to_dict validates the schema
    assert set(specs) == {
        "score_components",
        "contribution_velocity",
        "weekly_activity_by_class",
        "new_vs_returning",
        "first_response_by_window",
        "external_pr_share_by_window",
    }
    assert specs["weekly_activity_by_class"]["resolve"]["scale"]["y"] == "shared"


def test_one_project_gets_plain_charts_without_facets_or_legends(snap):
    weekly = snap.frames["weekly_activity"].filter(pl.col("project") == "kaito")
    spec = charts.weekly_activity_by_class(weekly).to_dict()
    assert "facet" not in spec and spec["title"] == "Weekly activity by class"
    velocity = charts.contribution_velocity(weekly).to_dict()
    assert velocity["layer"][0]["encoding"]["color"]["legend"] is None


def test_the_velocity_chart_leaves_out_the_unfinished_week(snap):
    weekly = snap.frames["weekly_activity"].filter(pl.col("project") == "kaito")
    assert not weekly["complete"].all()
    spec = charts.contribution_velocity(weekly).to_dict()
    drawn = next(iter(spec["datasets"].values()))
    assert len(drawn) == weekly["complete"].sum()
