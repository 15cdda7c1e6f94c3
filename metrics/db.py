"""The one DuckDB connection helper: short-lived connections, lock retries, and the SQL-file runner."""

from __future__ import annotations

import contextlib
import random
import re
import time
from collections.abc import Iterator
from pathlib import Path

import duckdb

SQL_DIR = Path(__file__).resolve().parent.parent / "sql"
_LOCK_MARKERS = ("Could not set lock", "Conflicting lock", "database is locked", "lock on file")


class DatabaseBusy(RuntimeError):
    """Another process held the DuckDB file for longer than we were willing to wait."""


def _is_lock_error(exc: Exception) -> bool:
    return any(m in str(exc) for m in _LOCK_MARKERS)


def connect(
    path: Path | str, *, read_only: bool = False, wait_s: float = 300.0, sleep=time.sleep
) -> duckdb.DuckDBPyConnection:
    """Open the DuckDB file, waiting (with jittered backoff) while another process holds its lock.

    DuckDB allows one writing process per file; every writer here keeps its connection short, so a
    waiting writer or reader gets in within seconds.
    """
    path = Path(path)
    if not read_only:
        path.parent.mkdir(parents=True, exist_ok=True)
    deadline = time.monotonic() + wait_s
    delay = 0.05
    while True:
        try:
            return duckdb.connect(str(path), read_only=read_only)
        except (duckdb.IOException, duckdb.Error) as exc:
            if not _is_lock_error(exc) or time.monotonic() >= deadline:
                if _is_lock_error(exc):
                    raise DatabaseBusy(
                        f"{path} stayed locked by another process for {wait_s:.0f}s; is a run still writing?"
                    ) from exc
                raise
            sleep(delay * (0.5 + random.random()))
            delay = min(delay * 2, 2.0)


@contextlib.contextmanager
def session(path: Path | str, *, read_only: bool = False, wait_s: float = 300.0) -> Iterator:
    """A connection that is closed (and its lock released) when the block ends."""
    con = connect(path, read_only=read_only, wait_s=wait_s)
    try:
        yield con
    finally:
        con.close()


@contextlib.contextmanager
def transaction(con: duckdb.DuckDBPyConnection) -> Iterator[duckdb.DuckDBPyConnection]:
    con.execute("BEGIN TRANSACTION")
    try:
        yield con
    except BaseException:
        con.execute("ROLLBACK")
        raise
    else:
        con.execute("COMMIT")


def sql_files(folder: str) -> list[Path]:
    """The .sql files of one layer (raw, staging, marts), in name order: prefixes set dependencies."""
    return sorted((SQL_DIR / folder).glob("*.sql"))


def split_statements(text: str) -> list[str]:
    """Split a SQL file on semicolons that end a line (our files never put two statements on a line)."""
    text = re.sub(r"--[^\n]*", "", text)
    return [s.strip() for s in re.split(r";\s*(?:\n|$)", text) if s.strip()]


_REPLACE = re.compile(r"^\s*CREATE\s+OR\s+REPLACE\s+(TABLE|VIEW)\s+([A-Za-z_][A-Za-z0-9_]*)\b", re.IGNORECASE)


def _drop_other_kind(con: duckdb.DuckDBPyConnection, statement: str) -> None:
    """A model that became a view (or a table) since the file was built: DuckDB will not replace one kind
    with the other, so the old object goes first (a database built by an older version keeps working)."""
    match = _REPLACE.match(_strip_comments(statement))
    if not match:
        return
    kind, name = match.group(1).upper(), match.group(2)
    other = "VIEW" if kind == "TABLE" else "TABLE"
    catalog = "duckdb_views()" if other == "VIEW" else "duckdb_tables()"
    found = con.execute(
        f"SELECT count(*) FROM {catalog} WHERE schema_name = 'main' AND lower({other.lower()}_name) = lower($n)",
        {"n": name},
    ).fetchone()[0]
    if found:
        con.execute(f"DROP {other} {name}")


def _strip_comments(statement: str) -> str:
    return "\n".join(line for line in statement.splitlines() if not line.lstrip().startswith("--"))


def run_sql_file(con: duckdb.DuckDBPyConnection, path: Path, params: dict | None = None) -> None:
    for statement in split_statements(path.read_text(encoding="utf-8")):
        _drop_other_kind(con, statement)
        if params and "$" in statement:
            used = {k: v for k, v in params.items() if f"${k}" in statement}
            con.execute(statement, used)
        else:
            con.execute(statement)


def ensure_raw_schema(con: duckdb.DuckDBPyConnection) -> None:
    for path in sql_files("raw"):
        run_sql_file(con, path)
