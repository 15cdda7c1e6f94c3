"""Per-partition staging: a project's crawl writes its own DuckDB file, then merges its tables into VITALS_DB.

Partitions crawled in parallel never share a DuckDB lock page by page: each writes
`<VITALS_DB folder>/staging/<VITALS_DB stem>/<project>.duckdb` (rows, crawl state and log, resumable at any
page as before), and the step's last act takes VITALS_DB's lock once to copy its tables over
(docs/scaling.md has the measurements behind this). The views read VITALS_DB as they always did.
"""

from __future__ import annotations

import os
import random
import tempfile
import time
from pathlib import Path

import duckdb

from metrics import db
from pipelines.github.store import COLUMNS

# What each crawl endpoint writes, besides crawl_state and raw_crawl_log (which every merge copies).
ENDPOINT_TABLES = {
    "repos": ("raw_repos", "raw_repo_names"),
    "issues": ("raw_issues",),
    "comments": ("raw_comments",),
    "commits": ("raw_commits",),
    "reviews": ("raw_reviews",),
    "maintainer_files": ("raw_maintainer_files",),
}
PROJECT_TABLES = tuple(t for tables in ENDPOINT_TABLES.values() for t in tables)


def staging_path(main: Path | str, project: str) -> Path:
    main = Path(main)
    return main.parent / "staging" / main.stem / f"{project}.duckdb"


def _repos_sql(alias: str) -> str:
    """The crawl_state keys of one project: every name asked for and every canonical name."""
    return (
        f"SELECT requested_name FROM {alias}.raw_repo_names WHERE project = $project "
        f"UNION SELECT full_name FROM {alias}.raw_repos WHERE project = $project"
    )


def _attach(
    con: duckdb.DuckDBPyConnection, path: Path, alias: str, *, read_only: bool, wait_s: float = 300.0
):
    """ATTACH with the same patience as metrics.db.connect: another process may hold the file a moment."""
    deadline, delay = time.monotonic() + wait_s, 0.05
    mode = " (READ_ONLY)" if read_only else ""
    while True:
        try:
            con.execute(f"ATTACH '{path}' AS {alias}{mode}")
            return
        except duckdb.Error as exc:
            if "lock" not in str(exc).lower() or time.monotonic() >= deadline:
                if "lock" in str(exc).lower():
                    raise db.DatabaseBusy(
                        f"{path} stayed locked by another process for {wait_s:.0f}s"
                    ) from exc
                raise
            time.sleep(delay * (0.5 + random.random()))
            delay = min(delay * 2, 2.0)


def prepare(main: Path | str, project: str) -> Path:
    """The project's staging file, created on first use from what VITALS_DB already holds for it (rows and
    crawl state), so switching to staging, or losing a staging file, costs no re-crawl."""
    path = staging_path(main, project)
    if path.exists():
        return path
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp_name = tempfile.mkstemp(prefix=f".{project}-", suffix=".duckdb", dir=path.parent)
    os.close(fd)
    tmp = Path(tmp_name)
    tmp.unlink()  # DuckDB creates the file itself
    try:
        con = db.connect(tmp)
        try:
            db.ensure_raw_schema(con)
            if Path(main).exists():
                _attach(con, Path(main), "vitals", read_only=True)
                with db.transaction(con):
                    for table in PROJECT_TABLES:
                        cols = ", ".join(COLUMNS[table])
                        con.execute(f"INSERT INTO {table} ({cols}) SELECT {cols} FROM vitals.{table} "
                                    "WHERE project = $project", {"project": project})  # fmt: skip
                    con.execute(
                        f"INSERT INTO crawl_state SELECT * FROM vitals.crawl_state WHERE repo IN ({_repos_sql('vitals')})",
                        {"project": project},
                    )
                con.execute("DETACH vitals")
        finally:
            con.close()
        try:
            os.link(tmp, path)  # create-if-absent: a sibling step that seeded first wins, ours is dropped
        except FileExistsError:
            pass
    finally:
        tmp.unlink(missing_ok=True)
        Path(f"{tmp}.wal").unlink(missing_ok=True)
    return path


def merge(staging: Path | str, main: Path | str, project: str, endpoint: str, run_id: str) -> int:
    """Copy the endpoint's tables for `project`, its crawl state and this run's crawl log into VITALS_DB, in
    one transaction. Whole-project copies, so rows the crawl updated in place (a maintainer file that is no
    longer head) arrive too; returns the rows copied."""
    con = duckdb.connect()
    try:
        # the staging file first, then VITALS_DB: every process takes the two locks in this order
        _attach(con, Path(staging), "stage", read_only=True)
        _attach(con, Path(main), "vitals", read_only=False)
        con.execute("USE vitals")
        db.ensure_raw_schema(con)
        copied = 0
        params = {"project": project}
        with db.transaction(con):
            for table in ENDPOINT_TABLES[endpoint]:
                cols = ", ".join(COLUMNS[table])
                copied += con.execute(f"INSERT OR REPLACE INTO {table} ({cols}) SELECT {cols} FROM stage.{table} "
                                      "WHERE project = $project", params).fetchone()[0]  # fmt: skip
            con.execute(
                f"INSERT OR REPLACE INTO crawl_state SELECT * FROM stage.crawl_state WHERE repo IN ({_repos_sql('stage')})",
                params,
            )
            con.execute("INSERT OR REPLACE INTO raw_crawl_log SELECT * FROM stage.raw_crawl_log WHERE run_id = $run",
                        {"run": run_id})  # fmt: skip
        return copied
    finally:
        con.close()
