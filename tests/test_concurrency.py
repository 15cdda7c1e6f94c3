"""While a crawl process writes the DuckDB file, read-only queries from another process wait briefly and succeed."""

import json
import subprocess
import sys
import time
from pathlib import Path

import duckdb
import pytest

from metrics.db import DatabaseBusy, connect
from pipelines.config import ROOT
from tests.crawl_cli import live_env
from tests.fakeserver import FakeServer, fake_token

TOKEN = fake_token()
READS = 20
# The reader, as `duckdb -readonly` or the scorecard would: open, count, close; the lock wait is the helper's.
READER = """
import json, sys, time
from metrics import db
path, reads = sys.argv[1], int(sys.argv[2])
for n in range(reads):
    asked = time.monotonic()
    con = db.connect(path, read_only=True, wait_s=30)
    try:
        issues = con.execute("select count(*) from raw_issues").fetchone()[0]
        total = con.execute(
            "select (select count(*) from raw_issues) + (select count(*) from raw_comments) "
            "+ (select count(*) from raw_commits) + (select count(*) from raw_reviews) "
            "+ (select count(*) from raw_maintainer_files)"
        ).fetchone()[0]
    finally:
        con.close()
    waited = time.monotonic() - asked
    print(json.dumps({"issues": issues, "total": total, "waited_s": waited, "at": time.time()}), flush=True)
    time.sleep(0.1)
"""


@pytest.fixture
def server(world):
    # a little latency per request stretches the crawl so the reads land in the middle of it
    with FakeServer(world, token=TOKEN, latency_s=0.02) as s:
        yield s


# A Dagster materialisation of one partition's crawl assets, in process (as `./vitals run` does).
MATERIALISE = """
import sys
import dagster as dg
from pipelines.definitions import defs
from pipelines.github.assets import crawl_assets
result = dg.materialize(crawl_assets, partition_key=sys.argv[1], resources=defs.resources,
                        instance=dg.DagsterInstance.ephemeral(), raise_on_error=False)
sys.exit(0 if result.success else 1)
"""


def has_raw_tables(db: Path) -> bool:
    if not db.exists():
        return False
    try:
        con = connect(db, read_only=True, wait_s=0.5)
    except (duckdb.Error, DatabaseBusy):
        return False
    try:
        return (
            con.execute(
                "SELECT count(*) FROM information_schema.tables WHERE table_name = 'raw_issues'"
            ).fetchone()[0]
            == 1
        )
    finally:
        con.close()


def read_while_writing(server, db: Path, writer_cmd: list[str], ready) -> tuple[list[dict], float]:
    """Start the writer, wait until `ready()`, then 20 reads from another process; returns the reads and when
    the writer ended. Every read must succeed and the counts must never go down."""
    env = live_env(server.url, TOKEN, db)
    writer = subprocess.Popen([sys.executable, *writer_cmd], cwd=ROOT, env=env, stdout=subprocess.PIPE,
                              stderr=subprocess.STDOUT, text=True)  # fmt: skip
    try:
        deadline = time.monotonic() + 60
        while not ready() and writer.poll() is None and time.monotonic() < deadline:
            time.sleep(0.05)
        reader = subprocess.run([sys.executable, "-c", READER, str(db), str(READS)], cwd=ROOT, env=env,
                                capture_output=True, text=True, timeout=120, check=False)  # fmt: skip
        writer_out, _ = writer.communicate(timeout=180)
        writer_done = time.time()
    finally:
        if writer.poll() is None:
            writer.kill()
    assert writer.returncode == 0, writer_out[-3000:]
    assert reader.returncode == 0, reader.stderr  # no DatabaseBusy, no other error
    reads = [json.loads(line) for line in reader.stdout.splitlines()]
    assert len(reads) == READS
    for column in ("issues", "total"):
        counts = [r[column] for r in reads]
        assert counts == sorted(counts), (column, counts)  # committed work only ever adds rows
    return reads, writer_done


def crawl_cli(hold: list[str]) -> list[str]:
    return ["-m", "tests.crawl_cli", "--projects", "kaito", "--quiet", *hold]


def test_reads_interleave_with_a_crawl_that_releases_the_file_after_every_page(server, tmp_path):
    # hold 0 s: the Store closes the file after each transaction, as a live crawl step does
    db = tmp_path / "vitals.duckdb"
    reads, writer_done = read_while_writing(
        server, db, crawl_cli(["--hold-s", "0"]), lambda: server.requests >= 3
    )
    during = {r["total"] for r in reads if r["at"] < writer_done}
    assert len(during) >= 3, reads  # the reads landed between the writer's pages, not after them


def test_reads_succeed_while_a_crawl_holds_the_file_a_second_at_a_time(server, tmp_path):
    # the Store's default (1 s): a reader gets in only in the gap between two holds, so a read can wait
    # through much of a crawl (docs/reliability.md has the figures); it must still succeed, in order
    db = tmp_path / "vitals.duckdb"
    read_while_writing(server, db, crawl_cli([]), lambda: server.requests >= 3)


def test_reads_see_each_merge_of_a_dagster_materialisation_whole(server, tmp_path):
    # live crawl steps write a per-project staging file and merge it into VITALS_DB when each step ends
    db = tmp_path / "vitals.duckdb"
    reads, writer_done = read_while_writing(
        server, db, ["-c", MATERIALISE, "kaito"], lambda: has_raw_tables(db)
    )
    during = {r["total"] for r in reads if r["at"] < writer_done}
    assert len(during) >= 2, reads  # read between two merges
