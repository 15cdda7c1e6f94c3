"""While a crawl process writes the DuckDB file, read-only queries from another process wait briefly and succeed."""

import json
import subprocess
import sys
import time

import pytest

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


def crawl_while_reading(server, tmp_path, hold: list[str]) -> tuple[list[dict], float]:
    """Start a kaito crawl, then 20 reads from another process; returns the reads and when the crawl ended."""
    db = tmp_path / "vitals.duckdb"
    env = live_env(server.url, TOKEN, db)
    writer = subprocess.Popen([sys.executable, "-m", "tests.crawl_cli", "--projects", "kaito", "--quiet", *hold],
                              cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)  # fmt: skip
    try:
        deadline = time.monotonic() + 60
        while server.requests < 3 and writer.poll() is None and time.monotonic() < deadline:
            time.sleep(0.02)  # by the third request the writer has created the schema and stored a repo
        reader = subprocess.run([sys.executable, "-c", READER, str(db), str(READS)], cwd=ROOT, env=env,
                                capture_output=True, text=True, timeout=120, check=False)  # fmt: skip
        writer_out, _ = writer.communicate(timeout=120)
        writer_done = time.time()
    finally:
        if writer.poll() is None:
            writer.kill()
    assert writer.returncode == 0, writer_out
    assert reader.returncode == 0, reader.stderr  # no DatabaseBusy, no other error
    reads = [json.loads(line) for line in reader.stdout.splitlines()]
    assert len(reads) == READS
    for column in ("issues", "total"):
        counts = [r[column] for r in reads]
        assert counts == sorted(counts), (column, counts)  # committed pages only ever add rows
    return reads, writer_done


def test_reads_interleave_with_a_crawl_that_releases_the_file_after_every_page(server, tmp_path):
    # hold 0 s: the Store closes the file after each transaction, as a live crawl asset does
    reads, writer_done = crawl_while_reading(server, tmp_path, ["--hold-s", "0"])
    during = {r["total"] for r in reads if r["at"] < writer_done}
    assert len(during) >= 3, reads  # the reads landed between the writer's pages, not after them


def test_reads_succeed_while_a_crawl_holds_the_file_a_second_at_a_time(server, tmp_path):
    # the Store's default (1 s): a reader gets in only in the gap between two holds, so a read can wait
    # through much of a crawl (docs/reliability.md has the figures); it must still succeed, in order
    crawl_while_reading(server, tmp_path, [])
