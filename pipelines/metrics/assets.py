"""The metric assets (maintainer roles, contributions, contributors, weekly activity, project metrics) and their checks."""

import dagster as dg
import duckdb

from metrics.build import METRIC_VIEWS, WINDOWS, build_metrics
from pipelines.config import load_projects, load_settings
from pipelines.resources import VitalsDuckDB

GROUP = "metrics"
RAW_DEPS = ("github_issues", "github_comments", "github_reviews", "github_commits")
# Share columns of project_metrics: each a fraction, so within [0, 1] whenever it is not NULL.
SHARE_COLUMNS = (
    "external_share",
    "external_pr_share",
    "independent_commit_share",
    "pr_acceptance_ratio",
    "bot_share",
    "ai_agent_share",
    "external_share_at_time",
    "external_pr_share_at_time",
)
# Columns that are plain counts in both weekly_activity and project_metrics, so they add up over weeks.
ADDITIVE_COLUMNS = (
    "issues_opened",
    "prs_opened",
    "prs_merged",
    "commits",
    "reviews",
    "comments",
    "contributions",
    "core_contributions",
    "external_contributions",
)
PREVIEW_COLUMNS = (
    "project",
    "contributions",
    "active_contributors",
    "external_share",
    "lottery_factor",
    "elephant_factor",
    "median_first_response_hours",
)

_SPECS = {
    "maintainer_roles": dg.AssetSpec(
        "maintainer_roles",
        deps=[dg.AssetKey("maintainer_files"), dg.AssetKey("projects_registry")],
        description="Who each maintainer-file version names, and as what, with the time it was valid.",
    ),
    "projects": dg.AssetSpec(
        "projects", deps=[dg.AssetKey("projects_registry")], description="One row per tracked project."
    ),
    "contributions": dg.AssetSpec(
        "contributions",
        deps=[*(dg.AssetKey(k) for k in RAW_DEPS), "maintainer_roles"],
        description="Every issue, PR, review, comment and default-branch commit, with its author's class "
        "today and at the time.",
    ),
    "contributors": dg.AssetSpec(
        "contributors",
        deps=["contributions"],
        description="One row per login: class, why core, organisation.",
    ),
    "weekly_activity": dg.AssetSpec(
        "weekly_activity",
        deps=["contributions", "contributors"],
        description="ISO-weekly activity per project.",
    ),
    "project_metrics": dg.AssetSpec(
        "project_metrics",
        deps=["contributions", "contributors"],
        description="CHAOSS-style health metrics per project for 30/90/365-day windows ending at as_of.",
    ),
}
SPECS = [spec.replace_attributes(group_name=GROUP, kinds={"duckdb"}) for spec in _SPECS.values()]


def markdown_table(rows: list[tuple], header: tuple[str, ...]) -> str:
    def cell(v) -> str:
        return "" if v is None else f"{v:.3g}" if isinstance(v, float) else str(v).replace("|", "\\|")

    lines = ["| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
    return "\n".join(lines + ["| " + " | ".join(cell(v) for v in row) + " |" for row in rows])


@dg.multi_asset(specs=SPECS, pool="duckdb", can_subset=False, name="metric_views")
def metric_views(context: dg.AssetExecutionContext, duckdb: VitalsDuckDB):
    """Rebuilds every metric table and view from the raw GitHub tables (metrics/build.py)."""
    settings = load_settings()
    projects = load_projects(settings.projects_file)
    with duckdb.connect() as con:
        counts = build_metrics(con, settings.as_of, settings.source, projects)
        preview = con.execute(
            f"SELECT {', '.join(PREVIEW_COLUMNS)} FROM project_metrics WHERE window_days = 90 ORDER BY project"
        ).fetchall()
    context.log.info(f"metrics as of {settings.as_of} ({settings.source}): {counts}")
    for name in _SPECS:
        metadata = {
            "rows": dg.MetadataValue.int(counts[name]),
            "as_of": dg.MetadataValue.text(str(settings.as_of)),
        }
        if name == "project_metrics":
            metadata["preview_90_days"] = dg.MetadataValue.md(markdown_table(preview, PREVIEW_COLUMNS))
        yield dg.MaterializeResult(asset_key=name, metadata=metadata)


# ---- checks: each query returns the offending rows (empty = pass), so tests can call them directly ----------


def duplicate_keys(con: duckdb.DuckDBPyConnection, view: str) -> list[tuple]:
    key = ", ".join(METRIC_VIEWS[view])
    return con.execute(
        f"SELECT {key}, count(*) AS n FROM {view} GROUP BY ALL HAVING count(*) > 1 ORDER BY n DESC LIMIT 20"
    ).fetchall()


def shares_out_of_range(con: duckdb.DuckDBPyConnection) -> list[tuple]:
    parts = [
        f"SELECT project, window_days, '{c}' AS metric, {c} AS value FROM project_metrics "
        f"WHERE {c} < 0 OR {c} > 1 OR isnan({c})"
        for c in SHARE_COLUMNS
    ]
    return con.execute(" UNION ALL ".join(parts) + " ORDER BY ALL LIMIT 20").fetchall()


def projects_missing(con: duckdb.DuckDBPyConnection, slugs: list[str]) -> list[str]:
    """Registry projects without their three rows (one per window) in project_metrics."""
    rows = con.execute(
        "SELECT project, count(DISTINCT window_days) FROM project_metrics WHERE project IN (SELECT unnest($slugs)) "
        "AND window_days IN (SELECT unnest($windows)) GROUP BY project",
        {"slugs": slugs, "windows": list(WINDOWS)},
    ).fetchall()
    complete = {p for p, n in rows if n == len(WINDOWS)}
    return [s for s in slugs if s not in complete]


def weekly_inconsistencies(con: duckdb.DuckDBPyConnection) -> list[tuple]:
    """weekly_activity against project_metrics and contributions. Windows are not aligned on weeks, so for
    each window and additive count: the weeks lying wholly inside the window must add up to no more than the
    window's figure, and the weeks touching it to no less. Over the whole history, weekly contributions
    must add up to the non-bot rows of contributions."""
    bracket = " UNION ALL ".join(
        f"SELECT m.project, m.window_days, '{c}' AS metric, m.{c} AS window_value, "
        f"sum(w.{c}) FILTER (WHERE w.week >= CAST(m.window_start AS DATE) AND w.week + 7 <= m.as_of) AS inside, "
        f"coalesce(sum(w.{c}), 0) AS touching "
        f"FROM project_metrics m LEFT JOIN weekly_activity w ON w.project = m.project "
        f"AND w.week + 7 > CAST(m.window_start AS DATE) AND w.week < m.as_of GROUP BY ALL"
        for c in ADDITIVE_COLUMNS
    )
    rows = con.execute(
        f"SELECT * FROM ({bracket}) WHERE coalesce(inside, 0) > window_value OR touching < window_value "
        "ORDER BY ALL LIMIT 20"
    ).fetchall()
    totals = con.execute(
        "SELECT c.project, NULL, 'contributions (whole history)', c.n, w.n, w.n FROM "
        "(SELECT project, count(*) AS n FROM contributions WHERE actor_class <> 'bot' GROUP BY project) c "
        "FULL JOIN (SELECT project, sum(contributions) AS n FROM weekly_activity GROUP BY project) w USING (project) "
        "WHERE c.n IS DISTINCT FROM w.n ORDER BY ALL"
    ).fetchall()
    return rows + totals


def _result(problems: list, ok: str, bad: str, header: tuple[str, ...]) -> dg.AssetCheckResult:
    return dg.AssetCheckResult(
        passed=not problems,
        description=f"{bad}: {len(problems)} shown" if problems else ok,
        metadata={"problems": dg.MetadataValue.int(len(problems))}
        | ({"examples": dg.MetadataValue.md(markdown_table(problems, header))} if problems else {}),
    )


def _keys_check(view: str):
    @dg.asset_check(
        asset=view,
        name=f"{view}_keys_unique",
        description=f"{view} has one row per ({', '.join(METRIC_VIEWS[view])}).",
    )
    def _check(duckdb: VitalsDuckDB) -> dg.AssetCheckResult:
        with duckdb.connect(read_only=True) as con:
            rows = duplicate_keys(con, view)
        return _result(rows, "keys unique", "duplicate keys", (*METRIC_VIEWS[view], "rows"))

    return _check


keys_checks = [
    _keys_check(v) for v in ("contributions", "contributors", "weekly_activity", "project_metrics")
]


@dg.asset_check(
    asset="project_metrics", description="Every share and ratio that is a fraction lies in [0, 1]."
)
def project_metrics_shares_in_range(duckdb: VitalsDuckDB) -> dg.AssetCheckResult:
    with duckdb.connect(read_only=True) as con:
        rows = shares_out_of_range(con)
    return _result(
        rows, "all shares within [0, 1]", "shares out of range", ("project", "window", "metric", "value")
    )


@dg.asset_check(asset="project_metrics", description="Every registry project has its 30/90/365-day rows.")
def project_metrics_cover_registry(duckdb: VitalsDuckDB) -> dg.AssetCheckResult:
    slugs = [p.slug for p in load_projects(load_settings().projects_file)]
    with duckdb.connect(read_only=True) as con:
        missing = projects_missing(con, slugs)
    return _result([(m,) for m in missing], f"all {len(slugs)} projects present", "missing", ("project",))


@dg.asset_check(
    asset="weekly_activity",
    additional_deps=["project_metrics", "contributions"],
    description="Weekly counts bracket every window's figure and add up to the contributions table.",
)
def weekly_activity_consistent_with_project_metrics(duckdb: VitalsDuckDB) -> dg.AssetCheckResult:
    with duckdb.connect(read_only=True) as con:
        rows = weekly_inconsistencies(con)
    return _result(
        rows,
        "weekly sums agree with project_metrics and contributions",
        "inconsistent",
        ("project", "window", "metric", "window value", "weeks inside", "weeks touching"),
    )


assets = [metric_views]
asset_checks = [*keys_checks, project_metrics_shares_in_range, project_metrics_cover_registry,
                weekly_activity_consistent_with_project_metrics]  # fmt: skip
