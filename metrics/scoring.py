"""The scorecard build: the rules, grade bands and scorecard views of sql/marts/90_scorecard.sql."""

from __future__ import annotations

import duckdb

from metrics import db

SCORECARD_SQL = db.SQL_DIR / "marts" / "90_scorecard.sql"
# What the scorecard build writes, with the key of each (scorecard is scorecard_windows at 90 days).
SCORECARD_VIEWS: dict[str, tuple[str, ...]] = {
    "scorecard_rules": ("metric", "band"),
    "scorecard_grades": ("grade",),
    "scorecard_metrics": ("metric",),
    "scorecard_components": ("project", "window_days", "metric"),
    "scorecard_windows": ("project", "window_days"),
    "scorecard": ("project",),
}
# What it reads: built by the metric and conformance assets before it.
SCORECARD_INPUTS = ("vitals_run", "projects", "project_metrics", "conformance_gate")


class ScorecardInputError(RuntimeError):
    """A view the scorecard reads is missing; the message names it and the step that builds it."""


def build_scorecard(con: duckdb.DuckDBPyConnection) -> dict[str, int]:
    """(Re)create the scorecard tables and views; returns the row count of each.

    metrics.build runs the same file with the other marts; this is for a scorecard-only rebuild, e.g.
    after the conformance gate changed."""
    present = {r[0] for r in con.execute("SELECT table_name FROM information_schema.tables").fetchall()}
    missing = [v for v in SCORECARD_INPUTS if v not in present]
    if missing:
        raise ScorecardInputError(
            f"the scorecard needs {', '.join(missing)}: materialise metric_views and conformance first "
            "(./vitals run)"
        )
    with db.transaction(con):
        db.run_sql_file(con, SCORECARD_SQL)
    return {v: con.execute(f"SELECT count(*) FROM {v}").fetchall()[0][0] for v in SCORECARD_VIEWS}
