"""The Streamlit scorecard (`streamlit run app/scorecard.py`): overview, project pages, compare, CSV downloads."""

from __future__ import annotations

import re
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:  # `streamlit run` puts app/ on sys.path, not the project root
    sys.path.insert(0, str(ROOT))

import polars as pl
import streamlit as st

from app.data import (
    RUN_COMMAND,
    VIEWS,
    DataUnavailable,
    LastGood,
    Snapshot,
    csv_bytes,
    file_version,
    load_snapshot,
    read_run,
)
from pipelines.config import ConfigError, load_settings

PAGES = ("Overview", "Project", "Compare")
DEFAULT_WINDOW = 90
GATE_BADGES = {"PASS": "✓ PASS", "WARN": "! WARN", "NONE": "– NONE"}
GATE_COLORS = {"PASS": "green", "WARN": "orange", "NONE": "gray"}
SLUG = re.compile(r"^[a-z0-9][a-z0-9._-]{0,63}$")


# ---- data: cached per database version (file mtime) and as_of; the last good snapshot covers a busy file ----


@st.cache_data(show_spinner=False, max_entries=8)
def _run_info(path: str, version: int):
    return read_run(Path(path))


@st.cache_data(show_spinner="Reading the database…", max_entries=4)
def _snapshot(path: str, as_of, version: int) -> Snapshot:
    return load_snapshot(Path(path))


@st.cache_resource
def _last_good() -> LastGood:
    return LastGood()


def snapshot_or_stop(path: Path) -> tuple[Snapshot, str | None]:
    """The snapshot to show and, when it is an older one kept while a writer holds the file, a note."""
    try:
        version = file_version(path)
        as_of, _, _ = _run_info(str(path), version)
        snap = _snapshot(str(path), as_of, version)
    except DataUnavailable as exc:
        previous = _last_good().get(path)
        if exc.kind == "busy" and previous is not None:
            return previous, (
                f"{exc.message} Showing the data read at {previous.loaded_at:%Y-%m-%d %H:%M:%S} UTC meanwhile."
            )
        (st.warning if exc.kind == "busy" else st.error)(exc.message)
        st.button("Try again", key="retry")
        st.stop()
    _last_good().remember(snap)
    return snap, None


# ---- query parameters <-> widgets --------------------------------------------------------------------------


def init_state(snap: Snapshot) -> None:
    """Seed the widgets from the URL once per session (?project=kueue, ?compare=kueue,volcano, ?window=30)."""
    if "page" in st.session_state:
        return
    params = st.query_params
    windows = snap.windows
    try:
        window = int(params.get("window", DEFAULT_WINDOW))
    except ValueError:
        window = DEFAULT_WINDOW
    st.session_state.window = (
        window if window in windows else (DEFAULT_WINDOW if DEFAULT_WINDOW in windows else windows[-1])
    )
    requested = params.get("project")
    st.session_state.requested_project = requested
    st.session_state.project = requested if requested in snap.projects else None
    chosen = [p for p in (params.get("compare") or "").split(",") if p in snap.projects]
    st.session_state.compare = list(dict.fromkeys(chosen))[:4] or top_projects(snap, 2)
    st.session_state.page = (
        "Compare" if "compare" in params else "Project" if requested is not None else "Overview"
    )


def sync_params() -> None:
    """Write the widgets back into the URL, so every view can be bookmarked and shared."""
    state = st.session_state
    params = {}
    if state.page == "Project" and state.get("project"):
        params["project"] = state.project
    if state.page == "Compare":
        params["compare"] = ",".join(state.compare)
    if state.window != DEFAULT_WINDOW:
        params["window"] = str(state.window)
    st.query_params.from_dict(params)


def open_project(slug: str) -> None:
    st.session_state.page = "Project"
    st.session_state.project = slug
    sync_params()


def top_projects(snap: Snapshot, n: int) -> list[str]:
    rows = snap.frames["scorecard_windows"].filter(pl.col("window_days") == DEFAULT_WINDOW)
    return rows.sort(["score", "project"], descending=[True, False])["project"].head(n).to_list()


# ---- small display helpers (formatting only: every number comes from a view) ----------------------------------


def pct(value) -> str:
    return "—" if value is None else f"{100 * value:.1f}%"


def signed_pct(value) -> str:
    return "— (no previous activity)" if value is None else f"{100 * value:+.1f}%"


def hours(value) -> str:
    return "—" if value is None else f"{value:.1f} h"


def plain(value) -> str:
    return "—" if value is None else f"{value:g}" if isinstance(value, float) else str(value)


def download(label: str, frame: pl.DataFrame, view: str, file_name: str, key: str) -> None:
    st.download_button(
        f"⬇ {label}",
        csv_bytes(frame, VIEWS[view]),
        file_name=file_name,
        mime="text/csv",
        key=key,
        on_click="ignore",  # a download needs no rerun
    )


def window_rows(snap: Snapshot, view: str, window: int, projects: list[str] | None = None) -> pl.DataFrame:
    frame = snap.frames[view].filter(pl.col("window_days") == window)
    return frame if projects is None else frame.filter(pl.col("project").is_in(projects))


def for_projects(snap: Snapshot, view: str, projects: list[str]) -> pl.DataFrame | None:
    frame = snap.view(view)
    return None if frame is None else frame.filter(pl.col("project").is_in(projects))


def small_sample_text(components: pl.DataFrame) -> str:
    flagged = components.filter(pl.col("small_sample")).sort("position")
    return ", ".join(
        f"{r['label']} (n={r['sample_size']} {r['sample_of']})" for r in flagged.iter_rows(named=True)
    )


def explanation(components: pl.DataFrame) -> pl.DataFrame:
    """The component table behind a grade: component, metric, value, points, rule, sample."""
    return components.sort("position").select(
        pl.col("component"),
        pl.col("label").alias("metric"),
        pl.col("value_text").fill_null("—").alias("value"),
        pl.col("points"),
        pl.col("max_points").alias("of"),
        pl.col("rule"),
        pl.col("sample_size").alias("sample"),
        pl.col("sample_of").alias("sample of"),
        pl.when(pl.col("small_sample"))
        .then(pl.lit("⚠ fewer than 10"))
        .otherwise(pl.lit(""))
        .alias("small sample"),
    )


def show_explanation(row: dict, components: pl.DataFrame) -> None:
    if row["grade_capped"]:
        st.warning(f"Grade capped: {row['grade_note']}.")
    # a static table, not a grid: the overview holds one per project and grids are slow to draw
    st.table(explanation(components), hide_index=True, border="horizontal")
    st.caption(
        f"Score {row['score']} of 100 = the sum of the points. Grade bands: A ≥ 80 (needs gate PASS), B ≥ 65, "
        "C ≥ 50, D ≥ 35, F below. Small samples (fewer than 10 items) are scored but flagged."
    )


# ---- pages ---------------------------------------------------------------------------------------------------


def overview(snap: Snapshot, window: int) -> None:
    rows = window_rows(snap, "scorecard_windows", window).sort(["score", "project"], descending=[True, False])
    components = window_rows(snap, "scorecard_components", window)
    flags = {
        p: small_sample_text(components.filter(pl.col("project") == p)) for p in rows["project"].to_list()
    }
    table = rows.select(
        "project",
        "grade",
        "score",
        pl.col("gate").replace_strict(GATE_BADGES, default=pl.col("gate")).alias("gate"),
        "unique_outside_issue_authors",
        "contribution_velocity",
        "velocity_change",
        "external_share",
        "lottery_factor",
        "median_first_response_hours",
        pl.col("project").replace_strict(flags, default="").alias("small samples"),
        ("?project=" + pl.col("project")).alias("page"),
    )
    st.subheader(f"All projects · {window}-day window")
    st.dataframe(
        table,
        hide_index=True,
        width="stretch",
        key="overview_table",
        column_config={
            "project": st.column_config.TextColumn("project", pinned=True),
            "grade": st.column_config.TextColumn(
                "grade", width="small", help="A–F from the score; A needs conformance gate PASS"
            ),
            "score": st.column_config.ProgressColumn(
                "score", min_value=0, max_value=100, format="%d", width="small"
            ),
            "gate": st.column_config.TextColumn("gate", width="small", help="CNCF AI Conformance gate"),
            "unique_outside_issue_authors": st.column_config.NumberColumn(
                "outside issue authors", format="%d", help="distinct external authors of issues in the window"
            ),
            "contribution_velocity": st.column_config.NumberColumn("contrib. / week", format="%.1f"),
            "velocity_change": st.column_config.NumberColumn(
                "velocity change", format="percent", help="against the previous window of the same length"
            ),
            "external_share": st.column_config.NumberColumn("external share", format="percent"),
            "lottery_factor": st.column_config.NumberColumn("lottery factor", format="%d"),
            "median_first_response_hours": st.column_config.NumberColumn("1st response (h)", format="%.1f"),
            "small samples": st.column_config.TextColumn(
                "small samples", help="metrics resting on < 10 items"
            ),
            "page": st.column_config.LinkColumn("details", display_text="open ↗", width="small"),
        },
    )
    st.caption(
        "Click a column header to sort. Velocity change compares with the previous window of the same length."
    )

    st.markdown("##### Why each grade")
    for row in rows.iter_rows(named=True):
        label = f"{row['project']}: {row['grade']} · {row['score']}/100 · gate {row['gate']}"
        if row["grade_capped"]:
            label += " · capped"
        with st.expander(label):
            show_explanation(row, components.filter(pl.col("project") == row["project"]))
            st.button(
                f"Open the {row['project']} page",
                key=f"open_{row['project']}",
                on_click=open_project,
                args=(row["project"],),
            )
    with st.expander("How scores and grades are computed"):
        rules_table(snap)

    name = "scorecard.csv" if window == DEFAULT_WINDOW else f"scorecard_{window}d.csv"
    cols = st.columns(2)
    with cols[0]:
        download(
            f"scorecard ({window} days)",
            window_rows(snap, "scorecard_windows", window),
            "scorecard_windows",
            name,
            "dl_scorecard",
        )
    with cols[1]:
        download(
            "score components",
            components,
            "scorecard_components",
            f"scorecard_components_{window}d.csv",
            "dl_components",
        )


def rules_table(snap: Snapshot) -> None:
    rules = snap.view("scorecard_rules")
    grades = snap.view("scorecard_grades")
    if grades is not None:
        st.table(
            grades.sort("min_score", descending=True), hide_index=True, border="horizontal", width="content"
        )
    if rules is not None:
        st.table(
            rules.sort("metric", "band").select("component", "metric", "band", "op", "threshold", "match_text",
                                                "per_90_days", "points", "max_points", "condition"),
            hide_index=True,
            border="horizontal",
        )  # fmt: skip
        st.caption(
            "A value takes the points of its first matching band. per_90_days thresholds scale with the window."
        )


def project_page(snap: Snapshot, window: int) -> None:
    from app import (
        charts,
    )  # here, not at the top: Altair takes a second to import and the overview draws none

    projects = snap.projects
    slug = st.session_state.get("project")
    if slug is None:
        requested = st.session_state.get("requested_project")
        if requested:
            shown = f"`{requested}`" if SLUG.match(requested) else "the requested project"
            st.warning(f"There is no project {shown} in this database. Choose one of: {', '.join(projects)}.")
        else:
            st.info("Choose a project in the sidebar.")
        return
    row = window_rows(snap, "scorecard_windows", window, [slug]).row(0, named=True)
    components = window_rows(snap, "scorecard_components", window, [slug])
    info = for_projects(snap, "projects", [slug])

    st.subheader(f"{row['name'] or slug} · grade {row['grade']} · {row['score']}/100")
    st.badge(f"conformance gate {row['gate']}", color=GATE_COLORS.get(row["gate"], "gray"))
    if info is not None and info.height:
        repos = ", ".join(info["repos"][0].to_list())
        st.caption(f"Repositories: {repos} · CNCF maturity: {info['cncf_maturity'][0] or '—'}")
    cols = st.columns(6)
    cols[0].metric("score", f"{row['score']}/100", help="sum of the component points")
    cols[1].metric("outside issue authors", plain(row["unique_outside_issue_authors"]))
    cols[2].metric(
        "contributions / week",
        plain(round(row["contribution_velocity"], 1)),
        delta=None if row["velocity_change"] is None else signed_pct(row["velocity_change"]),
    )
    cols[3].metric("external share", pct(row["external_share"]))
    cols[4].metric("lottery factor", plain(row["lottery_factor"]))
    cols[5].metric("median first response", hours(row["median_first_response_hours"]))
    flagged = small_sample_text(components)
    if flagged:
        st.warning(f"Small samples (fewer than 10 items behind the metric): {flagged}.")
    at_time = []
    if row["unique_outside_issue_authors_at_time"] != row["unique_outside_issue_authors"]:
        at_time.append(
            f"outside issue authors {row['unique_outside_issue_authors_at_time']} (today's classes: "
            f"{row['unique_outside_issue_authors']})"
        )
    then, now = row["external_share_at_time"], row["external_share"]
    if then is not None and now is not None and abs(then - now) >= 0.0005:
        at_time.append(
            f"external share {pct(row['external_share_at_time'])} (today: {pct(row['external_share'])})"
        )
    if at_time:
        st.caption("Classed by who was core *at the time* of each contribution: " + "; ".join(at_time) + ".")

    st.markdown(f"##### Why {row['grade']}")
    show_explanation(row, components)

    weekly = for_projects(snap, "weekly_activity", [slug])
    metrics = for_projects(snap, "project_metrics", [slug])
    st.markdown("##### Activity")
    if weekly is not None and weekly.height:
        left, right = st.columns(2)
        left.altair_chart(charts.weekly_activity_by_class(weekly), width="stretch")
        right.altair_chart(charts.contribution_velocity(weekly), width="stretch")
        left, right = st.columns(2)
        left.altair_chart(charts.new_vs_returning(weekly), width="stretch")
    else:
        st.info("No weekly activity for this project yet.")
        right = st.container()
    right.altair_chart(charts.first_response_by_window(metrics), width="stretch")
    left, right = st.columns(2)
    left.altair_chart(charts.external_pr_share_by_window(metrics), width="stretch")
    right.altair_chart(charts.score_components(components), width="stretch")

    st.markdown("##### Contributors")
    contributors = for_projects(snap, "contributors", [slug])
    if contributors is None:
        st.info("The contributors view is not built yet: run `./vitals run`.")
    else:
        st.dataframe(
            contributors.sort(["contributions", "login"], descending=[True, False]).select(
                "login", "class", "core_reason", "organisation", "contributions", "first_contribution_at",
                "last_contribution_at",
            ),
            hide_index=True,
            width="stretch",
            height=320,
        )  # fmt: skip

    st.markdown("##### Conformance")
    citations = conformance_citations(snap, slug)
    gate = for_projects(snap, "conformance_gate", [slug])
    if gate is not None and gate.height:
        st.markdown(f"Gate **{gate['gate'][0]}** — {gate['reasons'][0]}")
    else:
        st.info(
            "No conformance gate for this project: the conformance views are not built yet (`./vitals run`)."
        )
    if citations is not None:
        if citations.height:
            st.dataframe(citations, hide_index=True, width="stretch")
        else:
            st.caption("No conformance submission cites this project.")

    st.markdown("##### Downloads")
    tables = [
        ("scorecard (all windows)", snap.frames["scorecard_windows"].filter(pl.col("project") == slug), "scorecard_windows"),
        ("components (all windows)", snap.frames["scorecard_components"].filter(pl.col("project") == slug), "scorecard_components"),
        ("project metrics", metrics, "project_metrics"),
        ("weekly activity", weekly, "weekly_activity"),
        ("contributors", contributors, "contributors"),
        ("conformance citations", for_projects(snap, "conformance_citations", [slug]), "conformance_citations"),
        ("conformance gate", gate, "conformance_gate"),
    ]  # fmt: skip
    download_row(tables, prefix=slug)


def download_row(tables: list[tuple[str, pl.DataFrame | None, str]], prefix: str) -> None:
    present = [t for t in tables if t[1] is not None]
    columns = st.columns(4)
    for i, (label, frame, view) in enumerate(present):
        with columns[i % 4]:
            download(label, frame, view, f"{prefix}_{view}.csv", f"dl_{prefix}_{view}")


def conformance_citations(snap: Snapshot, slug: str) -> pl.DataFrame | None:
    """Citations of one project with the citing platform's name and Kubernetes version."""
    citations = for_projects(snap, "conformance_citations", [slug])
    if citations is None:
        return None
    submissions = snap.view("conformance_submissions")
    if submissions is not None:
        citations = citations.join(
            submissions.select(
                "version", "platform", "source", "platform_name", "vendor", "kubernetes_version"
            ),
            on=["version", "platform", "source"],
            how="left",
        )
    wanted = ["platform", "platform_name", "vendor", "version", "kubernetes_version", "requirement_id", "level",
              "status", "submission_valid", "submission_gate", "evidence"]  # fmt: skip
    return citations.select([c for c in wanted if c in citations.columns]).sort(
        "version", "platform", "requirement_id"
    )


def compare_page(snap: Snapshot, window: int) -> None:
    from app import charts  # see project_page

    chosen = st.session_state.compare
    if len(chosen) < 2:
        st.info("Choose two to four projects in the sidebar to compare them.")
        return
    rows = window_rows(snap, "scorecard_windows", window, chosen)
    components = window_rows(snap, "scorecard_components", window, chosen)
    st.subheader(f"Compare · {', '.join(chosen)} · {window}-day window")
    side = (
        components.with_columns(
            (
                pl.col("value_text").fill_null("—")
                + " → "
                + pl.col("points").cast(pl.String)
                + "/"
                + pl.col("max_points").cast(pl.String)
            ).alias("cell")
        )
        .pivot(on="project", index=["position", "label"], values="cell")
        .sort("position")
        .drop("position")
        .rename({"label": "metric"})
    )
    head = pl.DataFrame(
        [
            {
                "metric": "grade · score · gate",
                **{
                    r["project"]: f"{r['grade']} · {r['score']} · {r['gate']}"
                    for r in rows.iter_rows(named=True)
                },
            }
        ]
    )
    st.dataframe(pl.concat([head, side.select(head.columns)]), hide_index=True, width="stretch")
    weekly = for_projects(snap, "weekly_activity", chosen)
    metrics = for_projects(snap, "project_metrics", chosen)
    left, right = st.columns(2)
    left.altair_chart(charts.score_components(components), width="stretch")
    if weekly is not None:
        right.altair_chart(charts.contribution_velocity(weekly), width="stretch")
        left, right = st.columns(2)
        left.altair_chart(charts.weekly_activity_by_class(weekly), width="stretch")
        right.altair_chart(charts.new_vs_returning(weekly), width="stretch")
    left, right = st.columns(2)
    left.altair_chart(charts.first_response_by_window(metrics), width="stretch")
    right.altair_chart(charts.external_pr_share_by_window(metrics), width="stretch")
    st.markdown("##### Downloads")
    download_row(
        [
            (f"scorecard ({window} days)", rows, "scorecard_windows"),
            ("project metrics", metrics, "project_metrics"),
            ("weekly activity", weekly, "weekly_activity"),
        ],
        prefix="compare",
    )


# ---- the page ------------------------------------------------------------------------------------------------


def main() -> None:
    st.set_page_config(page_title="Vitals scorecard", layout="wide")
    st.title("Vitals · CNCF AI project health")
    try:
        path = load_settings().db_path
    except ConfigError as exc:
        st.error(f"Configuration problem: {exc}")
        st.stop()
    snap, note = snapshot_or_stop(path)
    init_state(snap)
    if note:
        st.warning(note)

    with st.sidebar:
        st.radio("View", PAGES, key="page", on_change=sync_params)
        st.radio("Window (days)", snap.windows, key="window", horizontal=True, on_change=sync_params)
        if st.session_state.page == "Project":
            st.selectbox("Project", snap.projects, key="project", index=None, placeholder="choose a project",
                         on_change=sync_params)  # fmt: skip
        if st.session_state.page == "Compare":
            st.multiselect(
                "Projects (2–4)", snap.projects, key="compare", max_selections=4, on_change=sync_params
            )
    window = st.session_state.window
    source = {"replay": "replay of the recorded fixtures", "live": "live GitHub API"}.get(
        snap.source, snap.source
    )
    built = f" · built {snap.built_at:%Y-%m-%d %H:%M} UTC" if snap.built_at else ""
    st.caption(
        f"As of **{snap.as_of.isoformat()}** (windows end there, UTC, exclusive) · data source: **{source}**{built}"
        f" · window: {window} days · database `{Path(snap.path).name}`",
        help=f"Database file: {snap.path}",
    )
    if snap.missing:
        st.info(
            f"Not built yet: {', '.join(snap.missing)} (run `./vitals run`); those sections are left out."
        )
    page = {"Overview": overview, "Project": project_page, "Compare": compare_page}[st.session_state.page]
    try:
        page(snap, window)
    except (pl.exceptions.PolarsError, KeyError) as exc:
        # a database built by another version of the views: say so instead of a traceback
        first_line = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
        st.error(
            f"`{Path(snap.path).name}` does not have the columns this page reads ({first_line}); it was "
            f"probably built by another version of Vitals. Rebuild it with `{RUN_COMMAND}`."
        )


main()
