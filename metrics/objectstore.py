"""The raw store published as Parquet on object storage (S3-compatible or a folder), and DuckDB views over it.

    python -m metrics.objectstore export     # VITALS_DB's raw tables -> VITALS_OBJECT_STORE_URL/raw/<snapshot>/
    python -m metrics.objectstore views      # print the SQL that maps the latest snapshot to views

A run writes the DuckDB file (one writer); readers in other pods or processes (the scorecard, ad-hoc SQL)
read an immutable snapshot instead of waiting for the file's lock. Each export is a new folder
`raw/<UTC timestamp>/<table>.parquet`; `raw/latest.json` names it and is written last, so a reader never
sees half an export.

Configuration (environment only):
| env var | meaning |
|---|---|
| `VITALS_OBJECT_STORE_URL` | `s3://bucket/prefix`, `file:///path` or a folder path; unset: no publishing |
| `VITALS_S3_ENDPOINT` | host[:port] of an S3-compatible service (MinIO, R2, Ceph...); unset: AWS |
| `VITALS_S3_REGION` | region (default `AWS_REGION`, else `us-east-1`) |
| `VITALS_S3_KEY_ID`, `VITALS_S3_SECRET` | static keys (default `AWS_ACCESS_KEY_ID`, `AWS_SECRET_ACCESS_KEY`); neither: the AWS credential chain (IRSA, instance profile) |
| `VITALS_S3_SESSION_TOKEN` | temporary credentials' token (default `AWS_SESSION_TOKEN`) |
| `VITALS_S3_URL_STYLE` | `path` (MinIO and most S3-compatibles) or `vhost` (default) |
| `VITALS_S3_USE_SSL` | `false` for a plain-HTTP endpoint (default `true`) |
"""

from __future__ import annotations

import datetime as dt
import os
import re
import sys
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import unquote, urlsplit

import duckdb

from metrics import db

LATEST = "latest.json"
_SNAPSHOT = re.compile(r"^\d{8}T\d{6}(\d{6})?Z$")
_TABLE = re.compile(r"^[a-z_][a-z0-9_]*$")


class ObjectStoreError(RuntimeError):
    """The object store is misconfigured or holds no snapshot; the message says what to set or run."""


@dataclass(frozen=True)
class S3Config:
    region: str
    key_id: str | None = None
    secret: str | None = field(default=None, repr=False)
    session_token: str | None = field(default=None, repr=False)
    endpoint: str | None = None
    url_style: str | None = None
    use_ssl: bool = True


@dataclass(frozen=True)
class ObjectStore:
    url: str  # no trailing slash: s3://bucket/prefix or a local folder
    s3: S3Config | None = None

    @property
    def is_local(self) -> bool:
        return self.s3 is None

    def raw_prefix(self) -> str:
        return f"{self.url}/raw"

    def table_url(self, snapshot: str, table: str) -> str:
        return f"{self.raw_prefix()}/{snapshot}/{table}.parquet"


def from_env(env: Mapping[str, str] | None = None) -> ObjectStore | None:
    """The store VITALS_OBJECT_STORE_URL names, or None when it is unset."""
    env = os.environ if env is None else env
    url = (env.get("VITALS_OBJECT_STORE_URL") or "").strip().rstrip("/")
    if not url:
        return None
    scheme = urlsplit(url).scheme
    if scheme == "s3":
        if not urlsplit(url).netloc:
            raise ObjectStoreError(f"VITALS_OBJECT_STORE_URL={url!r} names no bucket: use s3://bucket/prefix")
        style = env.get("VITALS_S3_URL_STYLE") or None
        if style not in (None, "path", "vhost"):
            raise ObjectStoreError(f"VITALS_S3_URL_STYLE must be 'path' or 'vhost', not {style!r}")
        key_id = env.get("VITALS_S3_KEY_ID") or env.get("AWS_ACCESS_KEY_ID") or None
        secret = env.get("VITALS_S3_SECRET") or env.get("AWS_SECRET_ACCESS_KEY") or None
        if bool(key_id) != bool(secret):
            raise ObjectStoreError(
                "set both VITALS_S3_KEY_ID and VITALS_S3_SECRET, or neither (credential chain)"
            )
        return ObjectStore(
            url,
            S3Config(
                region=env.get("VITALS_S3_REGION") or env.get("AWS_REGION") or "us-east-1",
                key_id=key_id,
                secret=secret,
                session_token=env.get("VITALS_S3_SESSION_TOKEN") or env.get("AWS_SESSION_TOKEN") or None,
                endpoint=env.get("VITALS_S3_ENDPOINT") or None,
                url_style=style,
                use_ssl=(env.get("VITALS_S3_USE_SSL") or "true").lower() not in ("false", "0", "no"),
            ),
        )
    if scheme == "file":
        return ObjectStore(str(Path(unquote(urlsplit(url).path))))
    if scheme:
        raise ObjectStoreError(
            f"VITALS_OBJECT_STORE_URL must be s3://..., file://... or a folder, not {url!r}"
        )
    return ObjectStore(str(Path(url).resolve()))


def _lit(value: str) -> str:
    """A SQL string literal. CREATE SECRET and COPY take no bound parameters, so values are quoted here."""
    return "'" + value.replace("'", "''") + "'"


def secret_sql(s3: S3Config) -> str:
    """The CREATE SECRET statement for `s3` (it holds the key: never log it)."""
    options = ["TYPE s3", f"REGION {_lit(s3.region)}"]
    if s3.key_id:
        options += [f"KEY_ID {_lit(s3.key_id)}", f"SECRET {_lit(s3.secret or '')}"]
        if s3.session_token:
            options.append(f"SESSION_TOKEN {_lit(s3.session_token)}")
    else:
        options.append("PROVIDER credential_chain")
    if s3.endpoint:
        options.append(f"ENDPOINT {_lit(s3.endpoint)}")
    if s3.url_style:
        options.append(f"URL_STYLE {_lit(s3.url_style)}")
    if not s3.use_ssl:
        options.append("USE_SSL false")
    return "CREATE OR REPLACE SECRET vitals_object_store (" + ", ".join(options) + ")"


def connect_store(con: duckdb.DuckDBPyConnection, store: ObjectStore) -> None:
    """Make `con` able to read and write the store: httpfs and a session secret for S3, nothing for a folder.
    The Docker image installs httpfs at build time; elsewhere DuckDB downloads it on first use."""
    if store.s3 is None:
        return
    con.execute("INSTALL httpfs")
    con.execute("LOAD httpfs")
    con.execute(secret_sql(store.s3))


def raw_tables(con: duckdb.DuckDBPyConnection) -> list[str]:
    """The crawler's tables (raw_*), in name order."""
    rows = con.execute(
        "SELECT table_name FROM duckdb_tables() WHERE schema_name = 'main' AND table_name LIKE 'raw\\_%' ESCAPE '\\' "
        "ORDER BY table_name"
    ).fetchall()
    return [r[0] for r in rows]


def new_snapshot(now: dt.datetime | None = None) -> str:
    return (now or dt.datetime.now(dt.UTC)).strftime("%Y%m%dT%H%M%S%fZ")


def export_sql(store: ObjectStore, snapshot: str, tables: Sequence[str]) -> list[str]:
    """COPY statements writing each table, then the pointer that publishes the snapshot."""
    if not _SNAPSHOT.match(snapshot):
        raise ValueError(f"not a snapshot name: {snapshot!r}")
    statements = []
    for table in tables:
        if not _TABLE.match(table):
            raise ValueError(f"not a table name: {table!r}")
        statements.append(
            f"COPY (SELECT * FROM {table}) TO {_lit(store.table_url(snapshot, table))} "
            "(FORMAT parquet, COMPRESSION zstd)"
        )
    statements.append(
        f"COPY (SELECT {_lit(snapshot)} AS snapshot, {_lit(','.join(tables))} AS tables) "
        f"TO {_lit(store.raw_prefix() + '/' + LATEST)} (FORMAT json)"
    )
    return statements


def export(con: duckdb.DuckDBPyConnection, store: ObjectStore, tables: Sequence[str] | None = None,
           snapshot: str | None = None) -> str:  # fmt: skip
    """Write `tables` (default: every raw table) as one new snapshot and publish it; returns its name."""
    tables = list(tables) if tables is not None else raw_tables(con)
    if not tables:
        raise ObjectStoreError("nothing to export: the database has no raw tables (run a crawl first)")
    snapshot = snapshot or new_snapshot()
    connect_store(con, store)
    if store.is_local:
        # COPY to a single file does not create folders on a local disk (it does not need to on S3)
        (Path(store.raw_prefix()) / snapshot).mkdir(parents=True, exist_ok=True)
    for statement in export_sql(store, snapshot, tables):
        con.execute(statement)
    return snapshot


def latest(con: duckdb.DuckDBPyConnection, store: ObjectStore) -> tuple[str, list[str]]:
    """The published snapshot's name and tables."""
    pointer = store.raw_prefix() + "/" + LATEST
    try:
        row = con.execute(f"SELECT snapshot, tables FROM read_json({_lit(pointer)})").fetchone()
    except duckdb.IOException as exc:
        raise ObjectStoreError(
            f"no snapshot published at {store.url} ({pointer} unreadable): run python -m metrics.objectstore export"
        ) from exc
    snapshot, tables = row
    if not _SNAPSHOT.match(snapshot):
        raise ObjectStoreError(f"{pointer} names {snapshot!r}, which is not a snapshot")
    return snapshot, [t for t in tables.split(",") if _TABLE.match(t)]


def view_sql(store: ObjectStore, snapshot: str, tables: Sequence[str]) -> list[str]:
    return [
        f"CREATE OR REPLACE VIEW {table} AS SELECT * FROM read_parquet({_lit(store.table_url(snapshot, table))})"
        for table in tables
        if _TABLE.match(table)
    ]


def create_views(con: duckdb.DuckDBPyConnection, store: ObjectStore) -> str:
    """Views named like the raw tables over the latest snapshot's Parquet files; returns the snapshot."""
    connect_store(con, store)
    snapshot, tables = latest(con, store)
    for statement in view_sql(store, snapshot, tables):
        con.execute(statement)
    return snapshot


def main(argv: list[str]) -> int:
    from pipelines.config import load_settings

    store = from_env()
    if store is None:
        print("objectstore: set VITALS_OBJECT_STORE_URL (s3://bucket/prefix or a folder)", file=sys.stderr)
        return 2
    command = argv[0] if argv else ""
    if command == "export":
        with db.session(load_settings().db_path, read_only=True) as con:
            snapshot = export(con, store)
        print(f"objectstore: published snapshot {snapshot} at {store.raw_prefix()}")
        return 0
    if command == "views":
        con = duckdb.connect()
        connect_store(con, store)
        snapshot, tables = latest(con, store)
        print("\n".join(s + ";" for s in view_sql(store, snapshot, tables)))
        return 0
    print("usage: python -m metrics.objectstore export | views", file=sys.stderr)
    return 2


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
