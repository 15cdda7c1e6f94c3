"""What the scorecard reads: the DuckDB views, loaded read-only into one snapshot, and their CSV form."""

from __future__ import annotations

import datetime as dt
import os
import threading
from dataclasses import dataclass, field
from pathlib import Path

import duckdb
import polars as pl

from metrics import db
from metrics.export import write_csv
from metrics.scoring import SCORECARD_VIEWS

RUN_COMMAND = "./vitals run"
# How long a page waits for a pipeline run to release the file before it falls back (seconds).
LOCK_WAIT_S = float(os.environ.get("VITALS_APP_LOCK_WAIT_S", "8"))

# The views the app reads, each with the key its CSV is sorted by (the same keys as reports/<as_of>/).
VIEWS: dict[str, tuple[str, ...]] = {
    "scorecard_windows": SCORECARD_VIEWS["scorecard_windows"],
    "scorecard_components": SCORECARD_VIEWS["scorecard_components"],
    "scorecard_rules": SCORECARD_VIEWS["scorecard_rules"],
    "scorecard_grades": SCORECARD_VIEWS["scorecard_grades"],
    "projects": ("project",),
    "project_metrics": ("project", "as_of", "window_days"),
    "weekly_activity": ("project", "week"),
    "contributors": ("project", "login"),
    "conformance_gate": ("project",),
    "conformance_citations": ("version", "platform", "source", "requirement_id", "project"),
    "conformance_submissions": ("version", "platform", "source"),
}
REQUIRED = ("scorecard_windows", "scorecard_components", "project_metrics")
# Shown without these, with a note where they would be.
OPTIONAL = tuple(v for v in VIEWS if v not in REQUIRED)


class DataUnavailable(Exception):
    """The page cannot show data; `message` says why and what to run (never a traceback)."""

    def __init__(self, kind: str, message: str):
        super().__init__(message)
        self.kind = kind  # missing | empty | busy | unreadable
        self.message = message


@dataclass(frozen=True)
class Snapshot:
    """Every view the app shows, read in one read-only session, as of one build."""

    path: str
    as_of: dt.date
    source: str
    built_at: dt.datetime | None
    loaded_at: dt.datetime
    frames: dict[str, pl.DataFrame]
    missing: tuple[str, ...] = field(default=())

    def view(self, name: str) -> pl.DataFrame | None:
        return self.frames.get(name)

    @property
    def projects(self) -> list[str]:
        return sorted(self.frames["scorecard_windows"]["project"].unique().to_list())

    @property
    def windows(self) -> list[int]:
        return sorted(self.frames["scorecard_windows"]["window_days"].unique().to_list())


def file_version(path: Path) -> int:
    """Changes whenever a writer changes the file or its write-ahead log: the cache key of a snapshot."""
    stamps = [0]
    for p in (path, path.with_name(path.name + ".wal")):
        try:
            info = p.stat()
        except FileNotFoundError:
            continue
        stamps.append(info.st_mtime_ns ^ info.st_size)
    return hash(tuple(stamps))


def _existing(con: duckdb.DuckDBPyConnection) -> set[str]:
    return {r[0] for r in con.execute("SELECT table_name FROM information_schema.tables").fetchall()}


def read_run(path: Path, wait_s: float | None = None) -> tuple[dt.date, str, dt.datetime | None]:
    """(as_of, source, built_at) of the last metrics build, from vitals_run."""
    with _session(path, wait_s) as con:
        if "vitals_run" not in _existing(con):
            raise _empty(path)
        rows = con.execute("SELECT as_of, source, built_at FROM vitals_run LIMIT 1").fetchall()
    if not rows:
        raise _empty(path)
    return rows[0]


def load_snapshot(path: Path, wait_s: float | None = None) -> Snapshot:
    """Read every view in VIEWS from `path` in one read-only session.

    Raises DataUnavailable when the file is missing, holds no scorecard yet, stays locked by a writer for
    `wait_s`, or cannot be read as a Vitals database."""
    with _session(path, wait_s) as con:
        present = _existing(con)
        if "vitals_run" not in present or any(v not in present for v in REQUIRED):
            raise _empty(path)
        rows = con.execute("SELECT as_of, source, built_at FROM vitals_run LIMIT 1").fetchall()
        if not rows:
            raise _empty(path)
        as_of, source, built_at = rows[0]
        frames = {}
        for view in VIEWS:
            if view in present:
                frames[view] = con.sql(f"SELECT * FROM {view}").pl()
    if frames["scorecard_windows"].is_empty():
        raise _empty(path)
    return Snapshot(
        path=str(path),
        as_of=as_of,
        source=source,
        built_at=built_at,
        loaded_at=dt.datetime.now(dt.UTC).replace(tzinfo=None),
        frames=frames,
        missing=tuple(v for v in OPTIONAL if v not in frames),
    )


class _session:
    """A read-only connection that turns every way of failing to open into DataUnavailable."""

    def __init__(self, path: Path, wait_s: float | None):
        self.path, self.con = path, None
        self.wait_s = LOCK_WAIT_S if wait_s is None else wait_s

    def __enter__(self) -> duckdb.DuckDBPyConnection:
        if not self.path.is_file():
            raise DataUnavailable(
                "missing",
                f"No database at `{self.path}` yet. Build it with `{RUN_COMMAND}`, then reload this page.",
            )
        try:
            self.con = db.connect(self.path, read_only=True, wait_s=self.wait_s)
        except db.DatabaseBusy:
            raise DataUnavailable(
                "busy",
                f"A pipeline run (`{RUN_COMMAND}`) is writing `{self.path}` right now. "
                "The page shows the new data once it has finished.",
            ) from None
        except duckdb.Error as exc:
            raise _unreadable(self.path, exc) from None
        return self.con

    def __exit__(self, exc_type, exc, tb) -> bool:
        if self.con is not None:
            self.con.close()
        if isinstance(exc, duckdb.Error):
            raise _unreadable(self.path, exc) from None
        return False


def _empty(path: Path) -> DataUnavailable:
    return DataUnavailable(
        "empty",
        f"`{path}` holds no scorecard yet: the metric views have not been built. Run `{RUN_COMMAND}`, "
        "then reload this page.",
    )


def _unreadable(path: Path, exc: Exception) -> DataUnavailable:
    first_line = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
    return DataUnavailable(
        "unreadable",
        f"`{path}` could not be read as a Vitals database ({first_line}). Rebuild it with `{RUN_COMMAND}`.",
    )


class LastGood:
    """The newest snapshot read successfully, per file: what the page shows while a writer holds the lock."""

    def __init__(self):
        self._lock = threading.Lock()
        self._by_path: dict[str, Snapshot] = {}

    def remember(self, snapshot: Snapshot) -> None:
        with self._lock:
            self._by_path[snapshot.path] = snapshot

    def get(self, path: Path) -> Snapshot | None:
        with self._lock:
            return self._by_path.get(str(path))


# ---- CSV: the same bytes as reports/<as_of>/<view>.csv ------------------------------------------------------


def sort_by_key(frame: pl.DataFrame, key: tuple[str, ...]) -> pl.DataFrame:
    """Rows in report order: by the key, then by every other (flat) column, NULLs last as DuckDB sorts."""
    flat = [c for c, t in frame.schema.items() if not isinstance(t, pl.List | pl.Array | pl.Struct)]
    order = [c for c in key if c in frame.columns] + [c for c in flat if c not in key]
    return frame.sort(order, nulls_last=True, maintain_order=True) if order else frame


def csv_bytes(frame: pl.DataFrame, key: tuple[str, ...]) -> bytes:
    """UTF-8 CSV with a header row, rows sorted by `key`, ISO-8601 dates and UTC timestamps."""
    return write_csv(sort_by_key(frame, key)).encode("utf-8")
