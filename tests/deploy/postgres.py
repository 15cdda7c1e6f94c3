"""A throwaway PostgreSQL server for tests: Debian's binaries, a temp data dir, 127.0.0.1 on a free port."""

from __future__ import annotations

import contextlib
import glob
import os
import shutil
import socket
import subprocess
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

USER = "vitals"
PASSWORD = "vitals-test-only"
DB = "dagster"


@dataclass(frozen=True)
class Server:
    host: str
    port: int
    user: str
    password: str
    db: str

    def env(self) -> dict[str, str]:
        """The DAGSTER_POSTGRES_* variables deploy/postgres/dagster.yaml reads."""
        return {
            "DAGSTER_POSTGRES_HOST": self.host,
            "DAGSTER_POSTGRES_PORT": str(self.port),
            "DAGSTER_POSTGRES_USER": self.user,
            "DAGSTER_POSTGRES_PASSWORD": self.password,
            "DAGSTER_POSTGRES_DB": self.db,
        }


def bindir() -> Path | None:
    """The newest installed PostgreSQL's bin folder (Debian: /usr/lib/postgresql/<major>/bin)."""
    found = sorted(glob.glob("/usr/lib/postgresql/*/bin/initdb"), key=lambda p: int(p.split("/")[4]))
    if found:
        return Path(found[-1]).parent
    initdb = shutil.which("initdb")
    return Path(initdb).parent if initdb else None


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@contextlib.contextmanager
def running(bin_dir: Path) -> Iterator[Server]:
    """initdb, start, create the database; stop and delete everything afterwards. PostgreSQL refuses to
    run as root, so as root the data folder belongs to the `postgres` user and the commands run as it."""
    as_root = os.geteuid() == 0
    # not pytest's tmp_path: its parents are private to root, and the server runs as `postgres`
    top = Path(tempfile.mkdtemp(prefix="vitals-pg-"))
    data, sockets, pwfile = top / "data", top / "sock", top / "pwfile"
    sockets.mkdir()
    pwfile.write_text(PASSWORD)
    prefix: list[str] = []
    if as_root:
        shutil.chown(top, "postgres")
        for path in (sockets, pwfile):
            shutil.chown(path, "postgres")
        prefix = ["runuser", "-u", "postgres", "--"]
    port = _free_port()

    def run(*args: str) -> None:
        subprocess.run([*prefix, *args], check=True, capture_output=True, text=True, timeout=60)

    try:
        run(str(bin_dir / "initdb"), "-D", str(data), "--username", USER, "--pwfile", str(pwfile),
            "--auth", "scram-sha-256", "--encoding", "UTF8", "--no-sync")  # fmt: skip
        options = f"-c listen_addresses=127.0.0.1 -p {port} -k {sockets} -c fsync=off"
        run(str(bin_dir / "pg_ctl"), "-D", str(data), "-o", options, "-l", str(top / "log"), "-w", "start")
        server = Server("127.0.0.1", port, USER, PASSWORD, DB)
        try:
            import psycopg2

            con = psycopg2.connect(
                host=server.host, port=port, user=USER, password=PASSWORD, dbname="postgres"
            )
            con.autocommit = True
            with con.cursor() as cur:
                cur.execute(f"CREATE DATABASE {DB}")
            con.close()
            yield server
        finally:
            run(str(bin_dir / "pg_ctl"), "-D", str(data), "-m", "fast", "-w", "stop")
    finally:
        shutil.rmtree(top, ignore_errors=True)
