"""The Dagster code location loads, and its schedule asks for one run per project partition."""

import dagster as dg

from pipelines import definitions
from pipelines.github.schedules import daily_refresh


def test_definitions_load():
    dg.Definitions.validate_loadable(definitions.defs)
    keys = {k.to_user_string() for k in definitions.defs.resolve_all_asset_keys()}
    assert {
        "github_issues",
        "github_reviews",
        "maintainer_files",
        "conformance_files",
        "projects_registry",
    } <= keys


def test_daily_refresh_requests_every_project_partition():
    context = dg.build_schedule_context(
        scheduled_execution_time=__import__("datetime").datetime(2026, 8, 2, 5)
    )
    requests = list(daily_refresh(context))
    assert sorted(r.partition_key for r in requests) == ["kai-scheduler", "kaito", "kueue", "volcano"]
    assert len({r.run_key for r in requests}) == 4


def test_every_writing_asset_is_in_the_duckdb_pool():
    for asset in definitions.all_assets:
        for spec in asset.specs:
            assert asset.get_op_def_for_asset_key(spec.key).pool == "duckdb", spec.key
