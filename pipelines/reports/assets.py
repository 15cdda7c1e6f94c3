"""The csv_reports asset: one CSV per SPEC view under reports/<as_of>/, written atomically."""

import datetime as dt
import os
import tempfile
from pathlib import Path

import dagster as dg
import duckdb

from metrics.export import write_csv
from pipelines.config import load_settings
from pipelines.resources import VitalsDuckDB

# The views written on every run (SPEC "CSV reports") and the key each is sorted by.
REPORT_VIEWS: dict[str, tuple[str, ...]] = {
    "scorecard": ("project",),
    "project_metrics": ("project", "as_of", "window_days"),
    "weekly_activity": ("project", "week"),
    "contributors": ("project", "login"),
    "conformance_gate": ("project",),
    "conformance_submissions": ("version", "platform", "source"),
}


def existing_views(con: duckdb.DuckDBPyConnection) -> set[str]:
    """Names of the tables and views in the main schema."""
    return {r[0] for r in con.execute("SELECT table_name FROM information_schema.tables").fetchall()}


def write_view_csv(con: duckdb.DuckDBPyConnection, view: str, key: tuple[str, ...], path: Path) -> int:
    """Write one view to `path` as UTF-8 CSV with a header row, rows sorted by `key` (then by every other
    column, so equal keys still come out in a stable order), ISO-8601 dates and UTC timestamps. The file
    appears whole or not at all: it is written beside its final name and renamed. Returns the row count."""
    columns = [r[0] for r in con.execute(f"DESCRIBE SELECT * FROM {view}").fetchall()]
    order = [c for c in key if c in columns] + [c for c in columns if c not in key]
    quoted = ", ".join(f'"{c}"' for c in order)
    frame = con.sql(f"SELECT * FROM {view} ORDER BY {quoted}").pl()
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(fd, "wb") as fh:
            write_csv(frame, fh)
        os.chmod(tmp, 0o644)  # mkstemp makes it private; a report is for everyone who can read the folder
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    return frame.height


def report_as_of(con: duckdb.DuckDBPyConnection, default: dt.date) -> dt.date:
    """The as_of of the last metrics build (vitals_run), else `default`."""
    if "vitals_run" in existing_views(con):
        rows = con.execute("SELECT max(as_of) FROM vitals_run").fetchall()
        if rows and rows[0][0] is not None:
            return rows[0][0]
    return default


def write_reports(
    con: duckdb.DuckDBPyConnection, root: Path, as_of: dt.date
) -> tuple[dict[str, tuple[Path, int]], list[str]]:
    """Write every REPORT_VIEWS view that exists to root/<as_of>/<view>.csv.

    Returns {view: (path, rows)} for those written and the names of the views that do not exist yet."""
    present = existing_views(con)
    folder = root / as_of.isoformat()
    written, missing = {}, []
    for view, key in REPORT_VIEWS.items():
        if view not in present:
            missing.append(view)
            continue
        path = folder / f"{view}.csv"
        written[view] = (path, write_view_csv(con, view, key, path))
    return written, missing


@dg.asset(
    group_name="reports",
    kinds={"duckdb", "csv"},
    deps=[
        dg.AssetKey("project_metrics"),
        dg.AssetKey("weekly_activity"),
        dg.AssetKey("contributors"),
        dg.AssetKey("scorecard"),
        dg.AssetKey("conformance"),
    ],
    pool="duckdb",
)
def csv_reports(context: dg.AssetExecutionContext, duckdb: VitalsDuckDB) -> dg.MaterializeResult:
    """reports/<as_of>/<view>.csv for scorecard, project_metrics, weekly_activity, contributors,
    conformance_gate and conformance_submissions (VITALS_REPORTS_DIR is the root)."""
    settings = load_settings()
    with duckdb.connect(read_only=True) as con:
        as_of = report_as_of(con, settings.as_of)
        written, missing = write_reports(con, settings.reports_dir, as_of)
    for view in missing:
        context.log.warning(f"{view} does not exist yet in {duckdb.resolved_path()}: no {view}.csv written")
    table = ["| view | rows | file |", "|---|---|---|"]
    table += [f"| {v} | {n} | {p} |" for v, (p, n) in written.items()]
    return dg.MaterializeResult(
        metadata={
            "folder": dg.MetadataValue.path(str(settings.reports_dir / as_of.isoformat())),
            "files": dg.MetadataValue.int(len(written)),
            "rows": dg.MetadataValue.int(sum(n for _, n in written.values())),
            "missing_views": dg.MetadataValue.text(", ".join(missing) or "none"),
            "preview": dg.MetadataValue.md("\n".join(table)),
        }
    )


assets = [csv_reports]
