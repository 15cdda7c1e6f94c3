"""Every scorecard chart, each a function of a polars DataFrame read from a view (one project or several)."""

from __future__ import annotations

import altair as alt
import polars as pl

CLASS_COLORS = {"core": "#4c78a8", "external": "#f58518", "bot": "#b0b0b0"}
NEWCOMER_COLORS = {"new": "#54a24b", "returning": "#4c78a8"}
HEIGHT = 260  # Streamlit fits title, axes and legend into this height too


def _several(frame: pl.DataFrame) -> bool:
    return frame["project"].n_unique() > 1


def _sized(chart, width: int | None):
    return chart if width is None else chart.properties(width=width)


def _facet(
    chart: alt.Chart, frame: pl.DataFrame, title: str, width: int | None
) -> alt.Chart | alt.FacetChart:
    """One row per project with one shared y scale, so compared projects read on the same axis."""
    chart = _sized(chart, width)
    if not _several(frame):
        return chart.properties(height=HEIGHT, title=title)
    return (
        chart.properties(height=HEIGHT // 2)
        .facet(
            row=alt.Row("project:N", title=None, header=alt.Header(labelOrient="top", labelAnchor="start"))
        )
        .resolve_scale(y="shared", x="shared")
        .properties(title=title)
        .configure_legend(orient="top")
    )


def weekly_activity_by_class(weekly: pl.DataFrame, width: int | None = None) -> alt.Chart | alt.FacetChart:
    """Contributions per ISO week, stacked by who made them: core, external, bot (weekly_activity)."""
    long = weekly.select(
        "project",
        "week",
        pl.col("core_contributions").alias("core"),
        pl.col("external_contributions").alias("external"),
        pl.col("bot_contributions").alias("bot"),
    ).unpivot(index=["project", "week"], variable_name="class", value_name="contributions")
    chart = (
        alt.Chart(long)
        .mark_bar()
        .encode(
            x=alt.X("week:T", title="week (ISO, UTC)"),
            y=alt.Y("sum(contributions):Q", title="contributions"),
            color=alt.Color(
                "class:N",
                scale=alt.Scale(domain=list(CLASS_COLORS), range=list(CLASS_COLORS.values())),
                sort=list(CLASS_COLORS),
            ),
            order=alt.Order("class_order:Q"),
            tooltip=["project", alt.Tooltip("week:T"), "class", "contributions"],
        )
        .transform_calculate(class_order="indexof(['core', 'external', 'bot'], datum['class'])")
    )
    return _facet(chart, weekly, "Weekly activity by class", width)


def contribution_velocity(weekly: pl.DataFrame, width: int | None = None) -> alt.LayerChart:
    """Contributions per complete week (bots excluded) with a 4-week moving mean; one line per project.

    The week holding as_of is left out: cut short, it would read as a drop."""
    if "complete" in weekly.columns:
        weekly = weekly.filter(pl.col("complete"))
    frame = weekly.select("project", "week", "contributions")
    base = alt.Chart(frame, title="Contribution velocity (contributions per week)").encode(
        x=alt.X("week:T", title="week (ISO, UTC)"),
        color=alt.Color("project:N", legend=alt.Legend() if _several(frame) else None),
    )
    weekly_points = base.mark_line(opacity=0.3, strokeWidth=1).encode(
        y=alt.Y("contributions:Q", title="contributions / week"),
        tooltip=["project", alt.Tooltip("week:T"), "contributions"],
    )
    smoothed = (
        base.transform_window(
            mean="mean(contributions)", frame=[-3, 0], groupby=["project"], sort=[alt.SortField("week")]
        )
        .mark_line(strokeWidth=2.5)
        .encode(y=alt.Y("mean:Q", title="contributions / week"))
    )
    return _sized(alt.layer(weekly_points, smoothed).properties(height=HEIGHT), width)


def new_vs_returning(weekly: pl.DataFrame, width: int | None = None) -> alt.Chart | alt.FacetChart:
    """Active contributors per week: first-ever contribution that week (new) or seen before (returning)."""
    frame = weekly.select("project", "week", "active_contributors", "new_contributors")
    chart = (
        alt.Chart(frame)
        .transform_calculate(
            returning="datum.active_contributors - datum.new_contributors", new="datum.new_contributors"
        )
        .transform_fold(["new", "returning"], as_=["kind", "contributors"])
        .mark_bar()
        .encode(
            x=alt.X("week:T", title="week (ISO, UTC)"),
            y=alt.Y("contributors:Q", title="active contributors", stack="zero"),
            color=alt.Color(
                "kind:N",
                title=None,
                scale=alt.Scale(domain=list(NEWCOMER_COLORS), range=list(NEWCOMER_COLORS.values())),
            ),
            tooltip=["project", alt.Tooltip("week:T"), "kind:N", "contributors:Q"],
        )
    )
    return _facet(chart, frame, "New vs returning contributors per week", width)


def _by_window(
    metrics: pl.DataFrame, column: str, title: str, axis: str, fmt: str, extra: list, width: int | None
) -> alt.Chart:
    frame = metrics.select("project", "window_days", column, *extra)
    several = _several(frame)
    return (
        alt.Chart(frame, title=title)
        .mark_bar()
        .encode(
            x=alt.X("window_days:O", title="window (days before as_of)"),
            xOffset=alt.XOffset("project:N") if several else alt.Undefined,
            y=alt.Y(f"{column}:Q", title=axis, axis=alt.Axis(format=fmt) if fmt else alt.Undefined),
            color=alt.Color("project:N", legend=alt.Legend() if several else None),
            tooltip=["project", "window_days", alt.Tooltip(f"{column}:Q", format=fmt or ".1f"), *extra],
        )
        .properties(height=HEIGHT, **({} if width is None else {"width": width}))
    )


def first_response_by_window(metrics: pl.DataFrame, width: int | None = None) -> alt.Chart:
    """Median hours to the first non-bot response, per 30/90/365-day window (project_metrics)."""
    return _by_window(
        metrics,
        "median_first_response_hours",
        "Time to first response (median)",
        "hours",
        "",
        ["answered_items", "unanswered_items"],
        width,
    )


def external_pr_share_by_window(metrics: pl.DataFrame, width: int | None = None) -> alt.Chart:
    """Share of non-bot PRs opened by external authors, per window (project_metrics)."""
    return _by_window(
        metrics, "external_pr_share", "External PR share", "share of PRs opened", ".0%", ["prs_opened"], width
    )


def score_components(components: pl.DataFrame, width: int | None = None) -> alt.Chart:
    """Points per scored metric against its maximum; one bar group per metric, one bar per project."""
    frame = components.select("project", "position", "metric", "points", "max_points", "rule")
    several = _several(frame)
    order = frame.sort("position")["metric"].unique(maintain_order=True).to_list()
    return (
        alt.Chart(frame, title="Score components (points)")
        .mark_bar()
        .encode(
            y=alt.Y("metric:N", sort=order, title=None, axis=alt.Axis(labelLimit=220)),
            yOffset=alt.YOffset("project:N") if several else alt.Undefined,
            x=alt.X(
                "points:Q", title="points", scale=alt.Scale(domain=[0, int(frame["max_points"].max() or 20)])
            ),
            color=alt.Color("project:N", legend=alt.Legend() if several else None),
            tooltip=["project", "metric", "points", "max_points", "rule"],
        )
        .properties(height=HEIGHT + (60 if several else 0), **({} if width is None else {"width": width}))
    )
