"""Composes the domains (github, conformance, metrics, scorecard, reports) into one Dagster code location."""

import dagster as dg

from pipelines import conformance, metrics, reports, scorecard
from pipelines.github import assets as github
from pipelines.github import schedules as github_schedules
from pipelines.github.resources import GitHubResource
from pipelines.resources import VitalsDuckDB

all_assets = [*github.assets, *conformance.assets, *metrics.assets, *scorecard.assets, *reports.assets]
all_checks = [*conformance.asset_checks, *metrics.asset_checks]
sensors = [*conformance.sensors]

defs = dg.Definitions(
    assets=all_assets,
    asset_checks=all_checks,
    jobs=github_schedules.jobs,
    schedules=github_schedules.schedules,
    sensors=sensors,
    resources={"github": GitHubResource(), "duckdb": VitalsDuckDB()},
)
