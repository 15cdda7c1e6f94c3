"""Builds the metric tables and views: vitals_run, maintainer_roles, then sql/staging and sql/marts in order."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence

import duckdb

from metrics import db
from metrics.maintainers import build_maintainer_roles
from metrics.organisations import load_independent_domains
from pipelines.config import AI_AGENTS, DEFAULT_BOTS, Project

# The tables and views this build writes that users query by name (SPEC "DuckDB views"), with their keys.
METRIC_VIEWS: dict[str, tuple[str, ...]] = {
    "projects": ("project",),
    "contributions": ("project", "kind", "ref", "actor_login", "occurred_at"),
    "contributors": ("project", "login"),
    "weekly_activity": ("project", "week"),
    "project_metrics": ("project", "as_of", "window_days"),
    "maintainer_roles": ("project", "repo", "path", "valid_from", "login_lower", "role"),
}
WINDOWS = (30, 90, 365)


class MetricsInputError(RuntimeError):
    """The raw tables cannot support a metrics build; the message says which step to run first."""


OTHER_DOMAINS = ("conformance", "scorecard")


def load_bot_accounts(con: duckdb.DuckDBPyConnection) -> None:
    """(Re)write ref_bot_accounts from the shipped lists (registry extras are read from raw_projects)."""
    con.execute(
        "CREATE OR REPLACE TABLE ref_bot_accounts (login_lower VARCHAR PRIMARY KEY, is_ai_agent BOOLEAN)"
    )
    rows = {b.lower(): False for b in DEFAULT_BOTS} | {a.lower(): True for a in AI_AGENTS}
    con.executemany("INSERT INTO ref_bot_accounts VALUES (?, ?)", sorted(rows.items()))


def build_metrics(
    con: duckdb.DuckDBPyConnection, as_of: dt.date, source: str, projects: Sequence[Project]
) -> dict[str, int]:
    """Rebuild every metric table for `projects` as of `as_of` (exclusive end of every window, UTC).

    Reads the raw tables the crawler wrote (raw_projects included); writes vitals_run with bound parameters,
    so no SQL file ever has the date formatted in. All in one transaction: readers see the previous build
    or this one, never half of it. Returns the row count of each view in METRIC_VIEWS.
    """
    if source not in ("live", "replay"):
        raise ValueError(f"source must be 'live' or 'replay', not {source!r}")
    slugs = sorted({p.slug for p in projects})
    if not slugs:
        raise MetricsInputError("no projects to build metrics for: the registry is empty")
    db.ensure_raw_schema(con)
    present = {row[0] for row in con.execute("SELECT project FROM raw_projects").fetchall()}
    missing = [s for s in slugs if s not in present]
    if missing:
        raise MetricsInputError(
            f"raw_projects has no row for {', '.join(missing)}: materialise projects_registry first"
        )
    with db.transaction(con):
        con.execute("DELETE FROM vitals_run").fetchall()
        con.execute(
            "INSERT INTO vitals_run (as_of, source, built_at) VALUES ($as_of, $source, $built_at)",
            {"as_of": as_of, "source": source, "built_at": dt.datetime.now(dt.UTC).replace(tzinfo=None)},
        ).fetchall()
        con.execute("CREATE OR REPLACE TABLE vitals_run_projects (project VARCHAR PRIMARY KEY)")
        con.executemany("INSERT INTO vitals_run_projects VALUES (?)", [(s,) for s in slugs])
        load_bot_accounts(con)
        load_independent_domains(con)
        build_maintainer_roles(con)
        for layer in ("staging", "marts"):
            for path in db.sql_files(layer):
                # conformance and scorecard models are built by their own assets, after their inputs
                if not any(other in path.name for other in OTHER_DOMAINS):
                    db.run_sql_file(con, path)
    return {name: con.execute(f"SELECT count(*) FROM {name}").fetchall()[0][0] for name in METRIC_VIEWS}
