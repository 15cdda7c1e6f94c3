"""A throwaway PostgreSQL cluster (initdb in a temp dir, Unix socket only) and the metric build in it."""

from __future__ import annotations

import csv
import datetime as dt
import io
import os
import re
import shutil
import subprocess
import tempfile
import threading
import time
from pathlib import Path
from typing import Self

import duckdb
import polars as pl

from metrics import db
from metrics.maintainers import maintainer_roles_frame
from metrics.organisations import INDEPENDENT_DOMAINS
from pipelines.config import AI_AGENTS, DEFAULT_BOTS

SQL = Path(__file__).resolve().parent / "postgres"
RAW_TABLES = (
    "raw_projects", "raw_repos", "raw_issues", "raw_comments", "raw_reviews", "raw_commits", "raw_maintainer_files",
)  # fmt: skip
# Tuned for one analytical session on this machine, as a PostgreSQL user benchmarking it would: big sort and
# hash memory, parallel workers for both cores, no durability work for a throwaway cluster (nothing here
# survives the run), no autovacuum racing the build (each model is ANALYZEd explicitly).
SETTINGS = {
    "listen_addresses": "''",
    "shared_buffers": "2GB",
    "work_mem": "256MB",
    "maintenance_work_mem": "1GB",
    "effective_cache_size": "16GB",
    "max_parallel_workers_per_gather": "2",
    "fsync": "off",
    "synchronous_commit": "off",
    "full_page_writes": "off",
    "wal_level": "minimal",
    "max_wal_senders": "0",
    "max_wal_size": "16GB",
    "checkpoint_timeout": "1h",
    "autovacuum": "off",
}


class PostgresUnavailable(RuntimeError):
    """No PostgreSQL server binaries here (install Debian's `postgresql`)."""


def bindir() -> Path | None:
    """The server binaries of the newest installed PostgreSQL (Debian keeps them off PATH)."""
    found = sorted(Path("/usr/lib/postgresql").glob("*/bin/initdb"), key=lambda p: int(p.parent.parent.name))
    if found:
        return found[-1].parent
    initdb = shutil.which("initdb")
    return Path(initdb).resolve().parent if initdb else None


def install(notify=print, attempts: int = 20) -> bool:
    """apt-get install postgresql (root only), waiting while another apt/dpkg holds the lock."""
    if bindir() is not None:
        return True
    if os.geteuid() != 0 or shutil.which("apt-get") is None:
        return False
    for attempt in range(attempts):
        done = subprocess.run(
            ["apt-get", "install", "-y", "-q", "postgresql"], capture_output=True, text=True, check=False,
            env={**os.environ, "DEBIAN_FRONTEND": "noninteractive"},
        )  # fmt: skip
        if done.returncode == 0:
            return bindir() is not None
        if "lock" not in done.stderr.lower():
            notify(f"apt-get install postgresql failed: {done.stderr.strip().splitlines()[-1:]}")
            return False
        notify(f"apt/dpkg is locked by another process; retrying ({attempt + 1}/{attempts})")
        time.sleep(15)
    return False


class Cluster:
    """initdb + pg_ctl in a temp dir; stopped and deleted on exit. Runs the server as `postgres` when we are
    root (PostgreSQL refuses to run as root)."""

    def __init__(self, root: Path | None = None, *, attach: Path | None = None):
        self.bin = bindir()
        if self.bin is None:
            raise PostgresUnavailable("PostgreSQL server binaries not found: apt-get install postgresql")
        self.root = attach or Path(tempfile.mkdtemp(prefix="vitals-pg-", dir=root))
        self.data, self.sock, self.files = self.root / "data", self.root / "sock", self.root / "files"
        self.log = self.root / "log" / "server.log"
        self.port = 5432  # the socket lives in our own directory, so the port cannot collide
        self._as: list[str] = []
        if os.geteuid() == 0:
            self._as = ["runuser", "-u", "postgres", "--"]

    @classmethod
    def attached(cls, root: Path | str) -> Cluster:
        """The cluster another process started under `root` (a benchmark step talks to it, never stops it)."""
        return cls(attach=Path(root))

    # -- lifecycle ------------------------------------------------------------------------------
    def __enter__(self) -> Self:
        os.chmod(self.root, 0o755)
        for d in (self.data, self.sock, self.files, self.log.parent):
            d.mkdir()
            if self._as:
                shutil.chown(d, "postgres", "postgres")
        self._server(
            "initdb", "-D", self.data, "-U", "postgres", "--auth=trust", "--encoding=UTF8",
            "--locale=C.UTF-8", "--no-sync",
        )  # fmt: skip
        options = " ".join(
            f"-c {k}={v}" for k, v in {**SETTINGS, "unix_socket_directories": self.sock}.items()
        )
        self._server("pg_ctl", "-D", self.data, "-w", "-t", "120", "-l", self.log,
                     "-o", f"-p {self.port} {options}", "start")  # fmt: skip
        self.psql("CREATE DATABASE vitals", database="postgres")
        return self

    def __exit__(self, *exc) -> None:
        try:
            self._server("pg_ctl", "-D", self.data, "-m", "fast", "-w", "stop")
        finally:
            shutil.rmtree(self.root, ignore_errors=True)

    def _server(self, tool: str, *args) -> None:
        done = subprocess.run(
            [*self._as, str(self.bin / tool), *map(str, args)], capture_output=True, text=True, check=False
        )
        if done.returncode != 0:
            tail = self.log.read_text()[-2000:] if self.log.exists() else ""
            raise RuntimeError(f"{tool} failed: {done.stderr.strip()}\n{tail}")

    def postmaster_pid(self) -> int:
        return int((self.data / "postmaster.pid").read_text().split()[0])

    # -- psql -----------------------------------------------------------------------------------
    def _psql_cmd(self, database: str = "vitals") -> list[str]:
        return [str(self.bin / "psql"), "-X", "-q", "-v", "ON_ERROR_STOP=1", "-h", str(self.sock),
                "-p", str(self.port), "-U", "postgres", "-d", database]  # fmt: skip

    def psql(
        self, sql: str | None = None, *, files=(), database="vitals", args=(), schema=None, stdin=None
    ) -> str:
        """Run SQL (a string, or files in order) with psql; returns stdout, raises with psql's error."""
        cmd = self._psql_cmd(database) + list(args)
        if sql is not None:
            cmd += ["-c", sql]
        for f in files:
            cmd += ["-f", str(f)]
        env = {**os.environ, "PGOPTIONS": f"-c search_path={schema},public" if schema else ""}
        done = subprocess.run(cmd, capture_output=True, text=True, env=env, input=stdin, check=False)
        if done.returncode != 0:
            raise RuntimeError(f"psql failed: {done.stderr.strip()[-3000:]}")
        return done.stdout

    def query(self, sql: str, schema: str | None = None) -> list[dict]:
        """Rows of a query as dicts of text (psql --csv: NULL is the empty unquoted field)."""
        out = self.psql(sql, args=["--csv", "-P", "null=\\N"], schema=schema)
        rows = list(csv.DictReader(io.StringIO(out)))
        return [{k: (None if v == "\\N" else v) for k, v in r.items()} for r in rows]

    # -- loading --------------------------------------------------------------------------------
    def load_raw(self, duck: duckdb.DuckDBPyConnection) -> dict[str, int]:
        """The raw tables of `duck` into PostgreSQL: CSV export, server-side COPY, primary keys, ANALYZE."""
        self.psql(files=[SQL / "00_raw.sql"])
        counts = {}
        for table in RAW_TABLES:
            path = self.files / f"{table}.csv"
            duck.execute(f"COPY (SELECT {_pg_columns(duck, table)} FROM {table}) TO '{path}' (HEADER false)")
            os.chmod(path, 0o644)
            self.psql(f"COPY {table} FROM '{path}' WITH (FORMAT csv)")
            path.unlink()
            counts[table] = int(self.query(f"SELECT count(*) AS n FROM {table}")[0]["n"])
        self.psql(files=[SQL / "01_keys.sql"])
        return counts

    # -- the metric build -----------------------------------------------------------------------
    def build(self, as_of: dt.date, schema: str = "build") -> dict[str, float]:
        """Build every metric model into a fresh `schema`, as metrics/build.py does in DuckDB: run inputs,
        maintainer_roles (the same Python), then the translated staging and mart SQL in one transaction.
        Returns seconds per step (per model file from psql's \\timing)."""
        times: dict[str, float] = {}
        started = time.perf_counter()
        self.psql(f"DROP SCHEMA IF EXISTS {schema} CASCADE; CREATE SCHEMA {schema}")
        self.psql(files=[SQL / "02_run.sql"], args=["-v", f"as_of={as_of.isoformat()}"], schema=schema)
        bots = {b.lower(): False for b in DEFAULT_BOTS} | {a.lower(): True for a in AI_AGENTS}
        self._copy_in(schema, "ref_bot_accounts", [(k, v) for k, v in sorted(bots.items())])
        self._copy_in(schema, "ref_independent_domains", [(d,) for d in INDEPENDENT_DOMAINS])
        times["inputs"] = time.perf_counter() - started
        t = time.perf_counter()
        files = pl.read_csv(
            io.StringIO(self.psql(
                "SELECT project, repo, path, commit_sha, committed_at, is_head, deleted, content "
                "FROM raw_maintainer_files", args=["--csv"],
            )),
            schema_overrides={"content": pl.String, "committed_at": pl.Datetime("us")},
        )  # fmt: skip
        files = files.with_columns(pl.col("is_head") == "t", pl.col("deleted") == "t")
        roles = maintainer_roles_frame(files)
        self._copy_in(schema, "maintainer_roles", roles.rows())
        self.psql("ANALYZE vitals_run, vitals_run_projects, ref_bot_accounts, ref_independent_domains, "
                  "maintainer_roles", schema=schema)  # fmt: skip
        times["maintainer_roles"] = time.perf_counter() - t
        models = [p for layer in ("staging", "marts") for p in sorted((SQL / layer).glob("*.sql"))]
        t = time.perf_counter()
        out = self.psql("\\timing on", files=models, args=["--single-transaction"], schema=schema)
        times["models"] = time.perf_counter() - t
        statement_ms = [float(x) for x in re.findall(r"^Time: ([\d.]+) ms", out, re.MULTILINE)]
        for path in models:
            n = len(db.split_statements(path.read_text(encoding="utf-8")))
            times[f"{path.parent.name}/{path.name}"] = sum(statement_ms[:n]) / 1000
            statement_ms = statement_ms[n:]
        times["total"] = time.perf_counter() - started
        return times

    def _copy_in(self, schema: str, table: str, rows: list[tuple]) -> None:
        buffer = io.StringIO()
        writer = csv.writer(buffer, lineterminator="\n")
        for row in rows:
            writer.writerow(["\\N" if v is None else _pg_text(v) for v in row])
        self.psql(
            f"\\copy {table} FROM STDIN WITH (FORMAT csv, NULL '\\N')", schema=schema, stdin=buffer.getvalue()
        )


def _pg_text(value) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, dt.datetime):
        return value.isoformat(sep=" ")
    return str(value)


def _pg_columns(duck: duckdb.DuckDBPyConnection, table: str) -> str:
    """DuckDB expressions that print each column as PostgreSQL's COPY reads it: lists as array literals,
    maps as JSON objects, everything else as DuckDB's CSV writer prints it."""
    exprs = []
    for name, kind in duck.execute(
        "SELECT column_name, data_type FROM information_schema.columns WHERE table_name = ? ORDER BY ordinal_position",
        [table],
    ).fetchall():
        if kind.endswith("[]"):
            quoted = (
                f"list_transform({name}, lambda x: CASE WHEN x IS NULL THEN 'NULL' "
                "ELSE '\"' || replace(replace(x, '\\', '\\\\'), '\"', '\\\"') || '\"' END)"
            )
            exprs.append(
                f"CASE WHEN {name} IS NOT NULL THEN '{{' || array_to_string({quoted}, ',') || '}}' END"
            )
        elif kind.startswith("MAP"):
            exprs.append(f"CAST(to_json({name}) AS VARCHAR)")
        else:
            exprs.append(name)
    return ", ".join(exprs)


class MemorySampler:
    """Peak proportional set size (PSS) of the postmaster and its backends, sampled while a step runs:
    PSS counts shared buffers once, not once per backend."""

    def __init__(self, root_pid: int, every_s: float = 0.2):
        self.root_pid, self.every_s = root_pid, every_s
        self.peak_kb = 0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def __enter__(self) -> Self:
        self._thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self._stop.set()
        self._thread.join()

    def _run(self) -> None:
        while not self._stop.is_set():
            self.peak_kb = max(self.peak_kb, self.sample())
            self._stop.wait(self.every_s)

    def sample(self) -> int:
        total = 0
        for pid in [self.root_pid, *_children(self.root_pid)]:
            try:
                text = Path(f"/proc/{pid}/smaps_rollup").read_text()
            except OSError:
                continue
            match = re.search(r"^Pss:\s+(\d+) kB", text, re.MULTILINE)
            total += int(match.group(1)) if match else 0
        return total


def _children(pid: int) -> list[int]:
    out = []
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        if int(fields[1]) == pid:
            out.append(int(stat.parent.name))
    return out
