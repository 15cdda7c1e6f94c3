"""Writes to the raw store: idempotent upserts keyed on GitHub ids, crawl state and the crawl log."""

from __future__ import annotations

import contextlib
import datetime as dt
import json
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import duckdb
import polars as pl
import pyarrow  # noqa: F401  (DuckDB scans the polars frames below through Arrow; imported with the module)

from metrics import db

# Column order of each raw table, as the upserts below write them.
COLUMNS = {
    "raw_repos": ["repo_id", "project", "full_name", "default_branch", "owner_type", "fetched_at"],
    "raw_repo_names": ["requested_name", "project", "repo_id", "full_name", "moved", "resolved_at"],
    "raw_issues": [
        "id", "project", "repo", "number", "is_pull_request", "author_login", "author_type",
        "author_association", "state", "state_reason", "created_at", "updated_at", "closed_at",
        "merged_at", "labels", "comments", "fetched_at",
    ],
    "raw_comments": [
        "id", "project", "repo", "issue_number", "author_login", "author_type", "author_association",
        "created_at", "updated_at", "fetched_at",
    ],
    "raw_reviews": [
        "id", "project", "repo", "pr_number", "author_login", "author_type", "author_association",
        "state", "submitted_at", "fetched_at",
    ],
    "raw_commits": [
        "repo", "sha", "project", "author_login", "author_type", "author_name", "author_email_domain",
        "authored_at", "committer_login", "committed_at", "parent_count", "fetched_at",
    ],
    "raw_maintainer_files": [
        "repo", "path", "commit_sha", "project", "committed_at", "is_head", "deleted", "content", "fetched_at",
    ],
    "raw_conformance_files": ["source", "path", "blob_sha", "size", "content", "fetched_at"],
}  # fmt: skip
KEYS = {
    "raw_repos": ["repo_id"],
    "raw_repo_names": ["requested_name"],
    "raw_issues": ["id"],
    "raw_comments": ["id"],
    "raw_reviews": ["id"],
    "raw_commits": ["repo", "sha"],
    "raw_maintainer_files": ["repo", "path", "commit_sha"],
    "raw_conformance_files": ["source", "path"],
}
ISO_FORMAT = "%Y-%m-%dT%H:%M:%SZ"
# Each column's type in the frames Store.upsert hands to DuckDB (VARCHAR unless named here; `*_at` columns are
# `timestamp()` strings or datetimes, whichever the rows carry). Declared, not inferred: a frame built to a
# known schema costs a third of an inferred one, and a value of another type is an error, not a guess.
TYPES = {
    **dict.fromkeys(("id", "repo_id", "number", "issue_number", "pr_number", "comments", "parent_count", "size"),
                    pl.Int64),
    **dict.fromkeys(("is_pull_request", "moved", "is_head", "deleted"), pl.Boolean),
    "labels": pl.List(pl.String),
}  # fmt: skip
TYPES_BY_TABLE = {"raw_conformance_files": {"content": pl.Binary}}


def _schema(table: str, rows: list[dict]) -> dict[str, pl.DataType]:
    types = TYPES | TYPES_BY_TABLE.get(table, {})
    schema = {}
    for c in COLUMNS[table]:
        if c.endswith("_at"):
            sample = next((r[c] for r in rows if r.get(c) is not None), None)
            schema[c] = pl.Datetime("us") if isinstance(sample, dt.datetime) else pl.String
        else:
            schema[c] = types.get(c, pl.String)
    return schema


def utc(value: str | None) -> dt.datetime | None:
    """GitHub timestamps ('2024-05-01T10:00:00Z' or with an offset) as naive UTC datetimes."""
    if not value:
        return None
    parsed = dt.datetime.fromisoformat(value)
    if parsed.tzinfo is not None:
        parsed = parsed.astimezone(dt.UTC).replace(tzinfo=None)
    return parsed


class BadTimestamp(ValueError):
    """A `*_at` value that is not a time: GitHub sent something else than it documents."""


def timestamp(value: str | None) -> str | None:
    """A GitHub timestamp as crawled rows carry it: `YYYY-MM-DDTHH:MM:SSZ` (UTC, to the second). GitHub's own
    form passes through as it is; one with an offset is converted. Strings of this one form sort as the times
    they name, and Store.upsert parses a whole column of them at once (`*_at` columns are TIMESTAMP)."""
    if not value:
        return None
    if len(value) == 20 and value[-1] == "Z":
        return value
    return iso(utc(value))


def iso(value: dt.datetime | None) -> str | None:
    return value.strftime(ISO_FORMAT) if value else None


def now_utc() -> dt.datetime:
    return dt.datetime.now(dt.UTC).replace(tzinfo=None, microsecond=0)


@dataclass
class CrawlState:
    repo: str
    endpoint: str
    since: str | None = None
    etag: str | None = None
    etag_url: str | None = None
    high_water: str | None = None
    next_url: str | None = None
    pending: str | None = None
    run_id: str | None = None


class Store:
    """The raw store. A connection is opened per transaction batch and released after `hold_s`, so
    readers (the scorecard, `duckdb -readonly`) and other writers get the file between pages."""

    def __init__(self, path: Path | str, *, hold_s: float = 1.0):
        self.path = Path(path)
        self.hold_s = hold_s
        self._con: duckdb.DuckDBPyConnection | None = None
        self._opened = 0.0
        self._schema_ready = False
        with self.tx():
            pass

    @contextlib.contextmanager
    def tx(self) -> Iterator[duckdb.DuckDBPyConnection]:
        if self._con is None:
            self._con = db.connect(self.path)
            if not self._schema_ready:  # once per Store: the tables outlive its connections
                db.ensure_raw_schema(self._con)
                self._schema_ready = True
            self._opened = time.monotonic()
        with db.transaction(self._con) as con:
            yield con
        if time.monotonic() - self._opened > self.hold_s:
            self.release()

    def release(self) -> None:
        if self._con is not None:
            self._con.close()
            self._con = None

    def close(self) -> None:
        self.release()

    # -- upserts --------------------------------------------------------------------------------
    @staticmethod
    def upsert(con: duckdb.DuckDBPyConnection, table: str, rows: list[dict], *, replace: bool = True) -> int:
        """INSERT OR REPLACE (or OR IGNORE: keep what is stored) the rows, keyed on the table's key."""
        if not rows:
            return 0
        columns, keys = COLUMNS[table], KEYS[table]
        # the last version of a key in one batch wins, as it would across batches
        if len(keys) == 1:
            latest = list({r[keys[0]]: r for r in rows}.values())
        else:
            latest = list({tuple(r[k] for k in keys): r for r in rows}.values())
        frame = pl.DataFrame(latest, schema=_schema(table, latest))
        texts = [c for c, kind in frame.schema.items() if c.endswith("_at") and kind == pl.String]
        if texts:  # `timestamp()` strings, parsed here a column at a time; datetimes pass as they are
            parsed = frame.with_columns(
                pl.col(texts).str.strptime(pl.Datetime("us"), ISO_FORMAT, strict=False)
            )
            for c in texts:
                bad = frame[c].filter(parsed[c].is_null() & frame[c].is_not_null())
                if len(bad):
                    raise BadTimestamp(f"{table}.{c}: {bad[0]!r} is not a time (YYYY-MM-DDTHH:MM:SSZ)")
            frame = parsed
        con.register("_batch", frame)
        try:
            con.execute(
                f"INSERT OR {'REPLACE' if replace else 'IGNORE'} INTO {table} ({', '.join(columns)}) SELECT * FROM _batch"
            )
        finally:
            con.unregister("_batch")
        return len(rows)

    # -- crawl state ----------------------------------------------------------------------------
    @staticmethod
    def load_state(con: duckdb.DuckDBPyConnection, repo: str, endpoint: str) -> CrawlState:
        row = con.execute(
            "SELECT since, etag, etag_url, high_water, next_url, pending, run_id FROM crawl_state "
            "WHERE repo = $repo AND endpoint = $endpoint",
            {"repo": repo, "endpoint": endpoint},
        ).fetchone()
        if row is None:
            return CrawlState(repo, endpoint)
        return CrawlState(repo, endpoint, *row)

    @staticmethod
    def save_state(con: duckdb.DuckDBPyConnection, state: CrawlState) -> None:
        Store.put(con, "crawl_state", ("repo", "endpoint"), {**state.__dict__, "updated_at": now_utc()})

    @staticmethod
    def put(con: duckdb.DuckDBPyConnection, table: str, key: tuple[str, ...], row: dict) -> None:
        """One row written over the row of its key, or added: an UPDATE first, since nearly always the row
        is there (a crawl's state and log row are written at every commit), and a one-row UPDATE costs a
        quarter of a one-row INSERT OR REPLACE in DuckDB (0.5 ms against 2)."""
        values = ", ".join(f"{c} = ${c}" for c in row if c not in key)
        where = " AND ".join(f"{c} = ${c}" for c in key)
        (updated,) = con.execute(f"UPDATE {table} SET {values} WHERE {where}", row).fetchone()
        if not updated:
            con.execute(
                f"INSERT INTO {table} ({', '.join(row)}) VALUES ({', '.join('$' + c for c in row)})", row
            )

    @staticmethod
    def pending_numbers(state: CrawlState) -> set[int]:
        return set(json.loads(state.pending)) if state.pending else set()

    # -- crawl log ------------------------------------------------------------------------------
    @staticmethod
    def log(con: duckdb.DuckDBPyConnection, entry: CrawlLogEntry) -> None:
        Store.put(con, "raw_crawl_log", ("run_id", "repo", "endpoint"), entry.__dict__)


@dataclass
class CrawlLogEntry:
    run_id: str
    repo: str
    endpoint: str
    started_at: dt.datetime
    requests: int = 0
    not_modified: int = 0
    items: int = 0
    rate_limit_remaining: int | None = None
    token_label: str | None = None
    finished_at: dt.datetime | None = None
    status: str = "running"
